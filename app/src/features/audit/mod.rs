//! A record's history (from the audit log), shown at the foot of the records people edit.

pub mod api;

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

/// The "History" section of an administered record (user, organization, project), reloaded
/// with the record after each change.
#[component]
pub fn RecordHistory(
    entity: &'static str,
    entity_id: i64,
    #[prop(into)] reload: Signal<u32>,
) -> impl IntoView {
    let entries = Resource::new(
        move || reload.get(),
        move |_| get_record_history(entity.to_string(), entity_id),
    );
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

//! The System Administrator's E-mail outbox: every e-mail Threshold made, whether it was sent,
//! and why a try failed. Without a mail server configured this is where e-mails are read.

use super::api::{get_outbox, OutboxEntry};
use crate::features::auth::Guarded;
use crate::ui::Loaded;
use leptos::prelude::*;

#[component]
pub fn OutboxAdminPage() -> impl IntoView {
    view! { <Guarded needs_context=true><Outbox/></Guarded> }
}

#[component]
fn Outbox() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_outbox());
    view! {
        <section class="panel">
            <h1>"E-mail outbox"</h1>
            <Loaded resource=page loading="Loading the outbox…" view=|page| view! {
                <p class="hint">{if page.sending {
                    "A mail server sends these e-mails (THRESHOLD_SMTP_URL); failed tries are retried with growing waits, eight times in all."
                } else {
                    "No mail server is configured (THRESHOLD_SMTP_URL is not set): e-mails wait here and nobody receives them."
                }}</p>
                <p role="status">{format!("{} waiting to be sent", page.waiting)}</p>
                {if page.entries.is_empty() {
                    view! { <p>"No e-mails yet."</p> }.into_any()
                } else {
                    view! { <OutboxTable entries=page.entries/> }.into_any()
                }}
            }/>
        </section>
    }
}

#[component]
fn OutboxTable(entries: Vec<OutboxEntry>) -> impl IntoView {
    view! {
        <table class="data">
            <caption class="sr-only">"The latest e-mails, newest first"</caption>
            <thead><tr>
                <th scope="col">"Created"</th>
                <th scope="col">"To"</th>
                <th scope="col">"Subject and message"</th>
                <th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|entry| view! {
                    <tr>
                        <td>{entry.created.clone()}</td>
                        <td>{entry.recipient.clone()}</td>
                        <td>
                            <details>
                                <summary>{entry.subject.clone()}</summary>
                                <pre class="mail-body">{entry.body.clone()}</pre>
                            </details>
                        </td>
                        <td>{status(&entry)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "Sent 12/04/2026 09:15", "Failed after 8 tries: …", "Waiting" (with the last refusal).
fn status(entry: &OutboxEntry) -> String {
    match (&entry.sent, &entry.failed, &entry.last_error) {
        (Some(sent), _, _) => format!("Sent {sent}"),
        (None, Some(failed), error) => format!(
            "Failed {failed} after {} tries: {}",
            entry.attempts,
            error.as_deref().unwrap_or("no answer")
        ),
        (None, None, Some(error)) => format!("Waiting (try {} refused: {error})", entry.attempts),
        (None, None, None) => "Waiting".to_string(),
    }
}

//! Notes on a referral: the thread and its "Add note" form, shown on the CE Event form and on
//! the Referral Outcome form to the two sides of the referral.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::referral_return::{NoteText, NOTE_MAX};
use crate::error::AppError;
use crate::ui::{follow_saves, form_error, ErrorSummary, FieldError, FieldLabels};
use api::{AddCeEventNote, AddReferralNote, NoteOn, NoteThread};
use leptos::prelude::*;

const NOTE_LABELS: FieldLabels = &[("note_body", "Add a note")];

/// The notes, oldest first, and the form that adds one.
#[component]
pub fn Notes(thread: NoteThread, on: NoteOn, reload: RwSignal<u32>) -> impl IntoView {
    let intro = match on {
        NoteOn::CeEvent { .. } => "Notes are shared between your organization and the other side of this referral (the receiving provider and the CoC's Coordinated Entry team), and with nobody else.",
        NoteOn::Referral { .. } => "Notes are shared between the referring and the receiving organization, and with nobody else.",
    };
    let notes = thread.notes;
    view! {
        <section class="subsection" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"Notes"</h2>
            <p class="hint">{intro}</p>
            {if notes.is_empty() {
                view! { <p class="muted">"No notes yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="notes">
                        {notes.into_iter().map(|n| view! {
                            <li>
                                <p><strong>{n.author}</strong>{format!(" · {} · {}", n.organization, n.written)}</p>
                                <p class="note-body">{n.body}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {match on {
                NoteOn::CeEvent { client_id, event_id } => view! {
                    <CeEventNoteForm client_id event_id reload/>
                }.into_any(),
                NoteOn::Referral { client_id, referral_id } => view! {
                    <ReferralNoteForm client_id referral_id reload/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CeEventNoteForm(client_id: i64, event_id: i64, reload: RwSignal<u32>) -> impl IntoView {
    let action = ServerAction::<AddCeEventNote>::new();
    let added = RwSignal::new(false);
    follow_saves(action, added, reload);
    let error = form_error(action);
    view! {
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="client_id" value=client_id.to_string()/>
            <input type="hidden" name="event_id" value=event_id.to_string()/>
            <NoteField error pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
fn ReferralNoteForm(client_id: i64, referral_id: i64, reload: RwSignal<u32>) -> impl IntoView {
    let action = ServerAction::<AddReferralNote>::new();
    let added = RwSignal::new(false);
    follow_saves(action, added, reload);
    let error = form_error(action);
    view! {
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="client_id" value=client_id.to_string()/>
            <input type="hidden" name="referral_id" value=referral_id.to_string()/>
            <NoteField error pending=action.pending()/>
        </ActionForm>
    }
}

/// The note's text area and the "Add note" button, checked by the shared rule as typed.
#[component]
fn NoteField(error: Signal<Option<AppError>>, pending: Memo<bool>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let local = Memo::new(move |_| {
        touched
            .get()
            .then(|| NoteText::parse(&text.get()).err())
            .flatten()
    });
    let shown = Signal::derive(move || match (error.get(), local.get()) {
        (Some(server), _) => Some(server),
        (None, Some(message)) => Some(AppError::field("note_body", message)),
        (None, None) => None,
    });
    view! {
        <ErrorSummary error=shown labels=NOTE_LABELS/>
        <div class="field">
            <label for="note_body">"Add a note"</label>
            <textarea id="note_body" name="body" rows="3" maxlength=NOTE_MAX.to_string()
                prop:value=move || text.get()
                on:input=move |ev| { text.set(event_target_value(&ev)); touched.set(true); }
                aria-invalid=move || local.get().is_some().then_some("true")
                aria-describedby="note_body-error"></textarea>
            <FieldError error=shown field="note_body"/>
        </div>
        <button type="submit" class="secondary" disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { "Adding…" } else { "Add note" }}
        </button>
    }
}

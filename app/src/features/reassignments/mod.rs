//! Non-CE reassignment on the Referral Outcome page (article 003): the receiving organization's
//! "Needs reassignment" request, and the referring organization's Reassign / Withdraw answer.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::dates::format_date;
use crate::domain::reassignment::{
    validate_request, ReassignmentDecision, ReassignmentRequestDraft, REASSIGN_DECISION,
    REASSIGN_NOTE, REASSIGN_PROJECT,
};
use crate::domain::referral_return::NOTE_MAX;
use crate::error::AppError;
use crate::features::referrals::model::ReferralRef;
use crate::routes;
use crate::ui::{follow_saves, form_error, ErrorSummary, FieldError, FieldLabels, Loaded};
use api::{get_reassignment, AnswerReassignment, AskReassignment, ReassignmentState};
use leptos::prelude::*;

const ASK_LABELS: FieldLabels = &[(REASSIGN_NOTE, "Note to the referring organization")];
const ANSWER_LABELS: FieldLabels = &[
    (REASSIGN_DECISION, "Answer"),
    (REASSIGN_PROJECT, "Reassign to project"),
];

/// What the Referral Outcome page shows of reassignment, loaded by the page.
pub type ReassignmentResource = Resource<Result<ReassignmentState, AppError>>;

/// The page's reassignment state for the (client, referral) of the address, read again after
/// each save (`reload`). The page makes it outside its Suspense, so that it reaches the browser.
pub fn reassignment_resource(
    ids: impl Fn() -> (Option<i64>, Option<i64>) + Send + Sync + 'static,
    reload: RwSignal<u32>,
) -> ReassignmentResource {
    Resource::new(
        move || (ids(), reload.get()),
        |(ids, _)| async move {
            match ids {
                (Some(client_id), Some(referral_id)) => {
                    get_reassignment(client_id, referral_id).await
                }
                _ => Err(AppError::NotFound),
            }
        },
    )
}

/// Reassignment on the Referral Outcome page: nothing unless there is something to show or do.
#[component]
pub fn ReassignmentSection(
    record: ReferralRef,
    state: ReassignmentResource,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <Loaded resource=state loading="Loading…" view=move |state| {
            let shows = state.closed.is_some() || state.pending.is_some() || state.can_ask || state.replaces.is_some();
            shows.then(|| view! {
                <section class="subsection" aria-labelledby="reassign-heading">
                    <h2 id="reassign-heading">"Reassignment"</h2>
                    <Standing state=state.clone() client_id=record.client_id/>
                    {state.can_ask.then(|| view! { <AskForm record reload saved/> })}
                    {state.can_answer.then(|| view! { <AnswerForm record options=state.to_options.clone() reload saved/> })}
                </section>
            })
        }/>
    }
}

#[component]
fn Standing(state: ReassignmentState, client_id: i64) -> impl IntoView {
    view! {
        {state.closed.clone().map(|closed| view! { <p class="notice-inline" role="note">{closed}</p> })}
        {state.replaced_by.map(|id| view! { <p><a href=routes::referral(client_id, id)>"Open the new referral"</a></p> })}
        {state.replaces.map(|id| view! { <p class="muted">"This referral replaces one that was sent incorrectly. "<a href=routes::referral(client_id, id)>"Open the earlier referral"</a></p> })}
        {state.pending.clone().map(|p| view! {
            <div class="notice-inline" role="note">
                <p><strong>{format!("Reassignment requested by {} ({}) on {}", p.requested_by, p.organization, format_date(p.requested_on))}</strong></p>
                <p class="note-body">{p.note}</p>
            </div>
        })}
    }
}

/// The receiving organization's request, checked by the shared rule as typed.
#[component]
fn AskForm(record: ReferralRef, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let action = ServerAction::<AskReassignment>::new();
    follow_saves(action, saved, reload);
    let server = form_error(action);
    let note = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let shown = Signal::derive(move || {
        server.get().or_else(|| {
            touched
                .get()
                .then(|| validate_request(&ReassignmentRequestDraft { note: note.get() }).err())
                .flatten()
                .map(AppError::Invalid)
        })
    });
    let pending = action.pending();
    view! {
        <p class="hint">"If this referral was sent incorrectly or needs reassignment, ask the referring organization: they reassign it to another project or withdraw it."</p>
        <ErrorSummary error=shown labels=ASK_LABELS/>
        <ActionForm action attr:novalidate=true>
            {record_fields(record)}
            <div class="field">
                <label for=REASSIGN_NOTE>"Note to the referring organization"</label>
                <textarea id=REASSIGN_NOTE name="request[note]" rows="3" maxlength=NOTE_MAX.to_string()
                    aria-describedby=format!("{REASSIGN_NOTE}-error")
                    on:input=move |ev| { note.set(event_target_value(&ev)); touched.set(true); }></textarea>
                <FieldError error=shown field=REASSIGN_NOTE/>
            </div>
            <button type="submit" class="secondary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                {move || if pending.get() { "Asking…" } else { "Ask for reassignment" }}
            </button>
        </ActionForm>
    }
}

/// The referring organization's answer: Reassign (to another project) or Withdraw referral.
#[component]
fn AnswerForm(
    record: ReferralRef,
    options: Vec<(i64, String)>,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let action = ServerAction::<AnswerReassignment>::new();
    follow_saves(action, saved, reload);
    let error = form_error(action);
    let pending = action.pending();
    view! {
        <ErrorSummary error labels=ANSWER_LABELS/>
        <ActionForm action attr:novalidate=true>
            {record_fields(record)}
            <div class="field">
                <label for=REASSIGN_PROJECT>"Reassign to project"</label>
                <select id=REASSIGN_PROJECT name="answer[to_project]" aria-describedby=format!("{REASSIGN_PROJECT}-hint {REASSIGN_PROJECT}-error")>
                    <option value="">"Choose a project…"</option>
                    {options.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                </select>
                <p class="hint" id=format!("{REASSIGN_PROJECT}-hint")>"A new referral goes there with the same service and comments; this one is closed."</p>
                <FieldError error field=REASSIGN_PROJECT/>
            </div>
            <FieldError error field=REASSIGN_DECISION/>
            <div class="actions">
                <button type="submit" class="primary" name="answer[decision]" value=ReassignmentDecision::REASSIGN
                    disabled=move || pending.get()>"Reassign"</button>
                <button type="submit" class="secondary" name="answer[decision]" value=ReassignmentDecision::WITHDRAW
                    disabled=move || pending.get()>"Withdraw referral"</button>
                {move || pending.get().then(|| view! { <span role="status">"Saving…"</span> })}
            </div>
        </ActionForm>
    }
}

fn record_fields(record: ReferralRef) -> impl IntoView {
    view! {
        <input type="hidden" name="record[client_id]" value=record.client_id.to_string()/>
        <input type="hidden" name="record[referral_id]" value=record.referral_id.to_string()/>
        <input type="hidden" name="record[version]" value=record.version.to_string()/>
    }
}

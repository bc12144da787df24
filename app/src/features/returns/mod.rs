//! Returns for rematch: the section of the CE Event form where the receiving provider returns
//! the referral to Coordinated Entry and the Priority List Manager reviews the return, and the
//! PLM's Returned referrals queue.

pub mod api;
pub mod model;
mod settings;
#[cfg(feature = "ssr")]
pub mod store;

pub use settings::ReturnReasonsPage;

use crate::domain::ce_event::CeEventFacts;
use crate::domain::dates::format_date;
use crate::domain::referral_return::{validate_return, ReturnDecision, NOTE_MAX};
use crate::features::auth::Guarded;
use crate::features::ce_events::model::{record_field, EventRef};
use crate::routes;
use crate::ui::{
    follow_saves, form_error, project_filter, shown_errors, ErrorSummary, FieldError, FieldLabels,
    Loaded,
};
use api::{
    return_field, returned_referrals, review_field, ReturnDraft, ReturnEntry, ReturnForRematch,
    ReturnState, ReviewReturn,
};
use leptos::prelude::*;

const RETURN_LABELS: FieldLabels = &[
    ("return_reason", "Return reason"),
    ("return_note", "Note to Coordinated Entry"),
];

const REVIEW_LABELS: FieldLabels = &[
    ("review_decision", "Decision"),
    ("review_note", "Note to the provider"),
];

fn record_fields(record: EventRef) -> impl IntoView {
    view! {
        <input type="hidden" name=record_field("client_id") value=record.client_id.to_string()/>
        <input type="hidden" name=record_field("event_id") value=record.event_id.to_string()/>
        <input type="hidden" name=record_field("version") value=record.version.to_string()/>
    }
}

/// The CE Event form's returns: the pending return's notice, the provider's "Return to
/// Coordinated Entry", the Priority List Manager's review, and earlier returns.
#[component]
pub fn ReturnSection(
    record: EventRef,
    facts: CeEventFacts,
    state: ReturnState,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let pending = state.pending().cloned().map(|entry| {
        view! {
            <p class="notice-inline" role="note">
                {format!(
                    "Returned to Coordinated Entry on {} by {}: {}. Awaiting the Priority List Manager's review.",
                    format_date(entry.returned_on), entry.organization, entry.reason
                )}
            </p>
        }
    });
    let returns = state.returns.clone();
    view! {
        {pending}
        {state.can_return.then(|| view! { <ReturnForm record facts state=state.clone() reload saved/> })}
        {state.can_review.then(|| view! { <ReviewForm record reload saved can_send_back=state.can_send_back/> })}
        {(!returns.is_empty()).then(|| view! { <ReturnHistory returns/> })}
    }
}

/// "Return to Coordinated Entry": reason and note, checked by the shared rules as typed.
#[component]
fn ReturnForm(
    record: EventRef,
    facts: CeEventFacts,
    state: ReturnState,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let action = ServerAction::<ReturnForRematch>::new();
    follow_saves(action, saved, reload);
    let server_error = form_error(action);
    let draft = RwSignal::new(ReturnDraft::default());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let reasons = StoredValue::new(state.reasons.clone());
    let validation = Memo::new(move |_| {
        let draft = draft.get();
        reasons.with_value(|reasons| validate_return(&facts, &draft, reasons).err())
    });
    let shown = shown_errors(validation, touched, server_error);
    let touch = move |field: &'static str| {
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field)
            }
        })
    };
    let invalid = move |field: &'static str| {
        move || {
            shown
                .get()
                .and_then(|e| e.field_errors().and_then(|f| f.get(field).map(|_| "true")))
        }
    };
    view! {
        <section class="subsection" aria-labelledby="return-heading">
            <h2 id="return-heading">"Return to Coordinated Entry"</h2>
            <p class="hint">"When your project cannot serve this client, return the referral for a rematch. The Priority List Manager reviews every return: they confirm it, or send it back to you with a note."</p>
            <ErrorSummary error=shown labels=RETURN_LABELS/>
            <ActionForm action attr:novalidate=true>
                {record_fields(record)}
                <div class="field">
                    <label for="return_reason">"Return reason"</label>
                    <select id="return_reason" name=return_field("reason")
                        on:change=move |ev| { draft.update(|d| d.reason = event_target_value(&ev)); touch("return_reason"); }
                        aria-invalid=invalid("return_reason") aria-describedby="return_reason-hint return_reason-error">
                        <option value="">"Choose a reason…"</option>
                        {state.reasons.iter().map(|r| view! {
                            <option value=r.id.to_string()>{format!("{} ({})", r.label, r.referral_result.label())}</option>
                        }).collect_view()}
                    </select>
                    <p class="hint" id="return_reason-hint">"The reason sets the Referral Result, the Result Date (today) and If Not Housed, Reason."</p>
                    <FieldError error=shown field="return_reason"/>
                </div>
                <div class="field">
                    <label for="return_note">"Note to Coordinated Entry"</label>
                    <textarea id="return_note" name=return_field("note") rows="3" maxlength=NOTE_MAX.to_string()
                        on:input=move |ev| { draft.update(|d| d.note = event_target_value(&ev)); touch("return_note"); }
                        aria-invalid=invalid("return_note") aria-describedby="return_note-error"></textarea>
                    <FieldError error=shown field="return_note"/>
                </div>
                <button type="submit" class="secondary" disabled=move || action.pending().get()
                    aria-busy=move || action.pending().get().to_string()>
                    {move || if action.pending().get() { "Returning…" } else { "Return to Coordinated Entry" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// The Priority List Manager's review of a pending return.
#[component]
fn ReviewForm(
    record: EventRef,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    can_send_back: bool,
) -> impl IntoView {
    let action = ServerAction::<ReviewReturn>::new();
    follow_saves(action, saved, reload);
    let error = form_error(action);
    view! {
        <section class="subsection" aria-labelledby="review-heading">
            <h2 id="review-heading">"Review the return"</h2>
            {if can_send_back {
                view! { <p class="hint">"Confirm the return to make the client available for a new referral, or send it back: the provider's result is cleared and they answer the referral again."</p> }
            } else {
                view! { <p class="hint">"The client was exited from Coordinated Entry: the return can only be confirmed."</p> }
            }}
            <ErrorSummary error labels=REVIEW_LABELS/>
            <ActionForm action>
                {record_fields(record)}
                <div class="field">
                    <label for="review_note">"Note to the provider"</label>
                    <textarea id="review_note" name=review_field("note") rows="3" maxlength=NOTE_MAX.to_string()
                        aria-describedby="review_note-hint review_note-error"></textarea>
                    <p class="hint" id="review_note-hint">"Required when you send the referral back."</p>
                    <FieldError error field="review_note"/>
                </div>
                <FieldError error field="review_decision"/>
                <div class="actions">
                    <button type="submit" name=review_field("decision") value=ReturnDecision::Confirm.value()
                        disabled=move || action.pending().get()>"Confirm return"</button>
                    {can_send_back.then(|| view! {
                        <button type="submit" class="secondary" name=review_field("decision") value=ReturnDecision::SendBack.value()
                            disabled=move || action.pending().get()>"Send back to provider"</button>
                    })}
                    {move || action.pending().get().then(|| view! { <span role="status">"Saving…"</span> })}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReturnHistory(returns: Vec<ReturnEntry>) -> impl IntoView {
    view! {
        <section class="subsection" aria-labelledby="returns-heading">
            <h2 id="returns-heading">"Returns"</h2>
            <ul class="returns">
                {returns.into_iter().map(|r| {
                    let decision = match (&r.decision, r.decided_on) {
                        (Some(decision), Some(on)) => format!(
                            "{decision} on {}{}{}",
                            format_date(on),
                            r.decided_by.as_deref().map(|who| format!(" by {who}")).unwrap_or_default(),
                            r.decision_note.as_deref().map(|note| format!(": {note}")).unwrap_or_default(),
                        ),
                        _ => "Awaiting review".to_string(),
                    };
                    view! {
                        <li>
                            <p><strong>{format!("{} · {}", format_date(r.returned_on), r.reason)}</strong>
                               {format!(" ({}), by {} of {}", r.referral_result, r.returned_by, r.organization)}</p>
                            <p class="note-body">{r.note.clone()}</p>
                            <p class="muted">{decision}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

// ---- Returned referrals (Priority List Manager) --------------------------------------------

#[component]
pub fn ReturnedReferralsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><ReturnedReferrals/></Guarded> }
}

#[component]
fn ReturnedReferrals() -> impl IntoView {
    let project = project_filter();
    let queue = Resource::new(project, returned_referrals);
    view! {
        <section class="panel">
            <h1>"Returned referrals"</h1>
            <p class="hint">"Referrals providers returned for a rematch, longest waiting first. Open one to confirm the return or send it back."</p>
            {move || project().is_some().then(|| view! {
                <p role="note">"Showing one project's returns (from CoC referrals). "
                    <a href=routes::RETURNED_REFERRALS>"Show all returned referrals"</a></p>
            })}
            <Loaded resource=queue loading="Loading returned referrals…" view=move |rows| {
                if rows.is_empty() {
                    return view! { <p>"No returned referral awaits review."</p> }.into_any();
                }
                view! {
                    <div>
                        <table class="data">
                            <caption class="sr-only">"Returned referrals awaiting review"</caption>
                            <thead><tr>
                                <th scope="col">"Client"</th><th scope="col">"Referred to"</th>
                                <th scope="col">"Reason"</th><th scope="col">"Note"</th>
                                <th scope="col">"Returned"</th><th scope="col">"Days waiting"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=routes::ce_event(r.client_id, r.event_id)
                                            aria-label=format!("Review the return of {}", r.client_name)>{r.client_name.clone()}</a></td>
                                        <td>{format!("{} ({})", r.project, r.organization)}</td>
                                        <td>{r.reason.clone()}</td>
                                        <td class="note-body">{r.note.clone()}</td>
                                        <td>{format_date(r.returned_on)}</td>
                                        <td>{r.days_waiting}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }/>
        </section>
    }
}

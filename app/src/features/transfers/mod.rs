//! Transfer requests (article 001, Coordinated Entry Transfer Policy): the "Request a transfer"
//! section of an enrollment, the Priority List Manager's Transfer requests queue, and the note
//! on "Refer to housing opening" when a referral answers a request.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::dates::format_date;
use crate::domain::referral_return::NOTE_MAX;
use crate::domain::transfer::{
    transfer_project_types, validate_transfer, TransferReason, DECLINE_NOTE, TRANSFER_NOTE,
    TRANSFER_ORGANIZATION, TRANSFER_REASON, TRANSFER_TO,
};
use crate::error::{AppError, FieldErrors};
use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::{
    follow_saves, form_error, project_filter, ErrorSummary, FieldError, FieldLabels, Loaded,
};
use api::{
    get_transfer_state, get_transfer_summary, transfer_requests, DeclineTransfer, EnrollmentRef,
    RequestTransfer, TransferEntry, TransferQueueRow, TransferRef, TransferState, TransferSummary,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::{transfer_field, TransferDraft};

const DECLINE_LABELS: FieldLabels = &[(DECLINE_NOTE, "Note to the provider")];

const TRANSFER_LABELS: FieldLabels = &[
    (TRANSFER_REASON, "Reason for the transfer"),
    (TRANSFER_TO, "Transfer to project type"),
    (TRANSFER_ORGANIZATION, "Transfer to provider"),
    (TRANSFER_NOTE, "Note to Coordinated Entry"),
];

/// What the enrollment page shows of transfers, loaded by the page.
pub type TransferResource = Resource<Result<TransferState, AppError>>;

/// The page's transfer state for the (client, enrollment) of the address, read again after each
/// save (`reload`). The page makes it outside its Suspense, so that it reaches the browser.
pub fn transfer_resource(
    ids: impl Fn() -> (Option<i64>, Option<i64>) + Send + Sync + 'static,
    reload: RwSignal<u32>,
) -> TransferResource {
    Resource::new(
        move || (ids(), reload.get()),
        |(ids, _)| async move {
            match ids {
                (Some(client_id), Some(enrollment_id)) => {
                    get_transfer_state(EnrollmentRef {
                        client_id,
                        enrollment_id,
                    })
                    .await
                }
                _ => Err(AppError::NotFound),
            }
        },
    )
}

/// The enrollment page's "Transfer" section: the requests made and, while none awaits an answer,
/// the form. Shown only to the organization running the project.
#[component]
pub fn TransferSection(
    record: EnrollmentRef,
    state: TransferResource,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let action = ServerAction::<RequestTransfer>::new();
    follow_saves(action, saved, reload);
    view! {
        <Loaded resource=state loading="Loading transfer requests…" view=move |state| {
            state.runs_project.then(|| view! {
                <section class="subsection" aria-labelledby="transfer-heading">
                    <h2 id="transfer-heading">"Transfer"</h2>
                    <TransferHistory requests=state.requests.clone()/>
                    {match state.unavailable.clone() {
                        Some(why) => view! { <p class="muted">{why}</p> }.into_any(),
                        None => view! { <TransferForm record state action/> }.into_any(),
                    }}
                </section>
            })
        }/>
    }
}

#[component]
fn TransferForm(
    record: EnrollmentRef,
    state: TransferState,
    action: ServerAction<RequestTransfer>,
) -> impl IntoView {
    let server = form_error(action);
    let draft = RwSignal::new(TransferDraft::default());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let organizations = StoredValue::new(state.organizations.clone());
    // The shared rules as the user types, for the fields they have touched.
    let local = Memo::new(move |_| {
        let errors =
            organizations.with_value(|orgs| validate_transfer(&draft.get(), orgs).err())?;
        let touched = touched.get();
        let mut shown = FieldErrors::new();
        for (field, message) in errors.0 {
            if touched.contains(&field.as_str()) {
                shown.add(&field, message);
            }
        }
        (!shown.is_empty()).then_some(shown)
    });
    let shown = Signal::derive(move || server.get().or_else(|| local.get().map(AppError::Invalid)));
    let set = move |field: &'static str, apply: fn(&mut TransferDraft, String)| {
        move |ev: leptos::ev::Event| {
            draft.update(|d| apply(d, event_target_value(&ev)));
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field);
                }
            });
        }
    };
    let pending = action.pending();
    view! {
        <p class="hint">"When this project can no longer serve the client, ask Coordinated Entry for a transfer (Coordinated Entry Transfer Policy). The Priority List Manager refers the client to a new opening or declines with a note."</p>
        <ErrorSummary error=shown labels=TRANSFER_LABELS/>
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="record[client_id]" value=record.client_id.to_string()/>
            <input type="hidden" name="record[enrollment_id]" value=record.enrollment_id.to_string()/>
            <div class="field">
                <label for=TRANSFER_REASON>"Reason for the transfer"</label>
                <select id=TRANSFER_REASON name=transfer_field("reason") aria-describedby=format!("{TRANSFER_REASON}-error")
                    on:change=set(TRANSFER_REASON, |d, v| d.reason = v)>
                    <option value="">"Choose a reason…"</option>
                    {TransferReason::ALL.into_iter().map(|r| view! { <option value=r.stored()>{r.label()}</option> }).collect_view()}
                </select>
                <FieldError error=shown field=TRANSFER_REASON/>
            </div>
            <div class="field">
                <label for=TRANSFER_TO>"Transfer to project type"</label>
                <select id=TRANSFER_TO name=transfer_field("project_type") aria-describedby=format!("{TRANSFER_TO}-hint {TRANSFER_TO}-error")
                    on:change=set(TRANSFER_TO, |d, v| d.project_type = v)>
                    <option value="">"Any project type"</option>
                    {transfer_project_types().into_iter().map(|t| view! { <option value=t.code().to_string()>{t.label()}</option> }).collect_view()}
                </select>
                <p class="hint" id=format!("{TRANSFER_TO}-hint")>"Choose a project type, a provider, or both."</p>
                <FieldError error=shown field=TRANSFER_TO/>
            </div>
            <div class="field">
                <label for=TRANSFER_ORGANIZATION>"Transfer to provider"</label>
                <select id=TRANSFER_ORGANIZATION name=transfer_field("organization") aria-describedby=format!("{TRANSFER_ORGANIZATION}-error")
                    on:change=set(TRANSFER_ORGANIZATION, |d, v| d.organization = v)>
                    <option value="">"Any provider"</option>
                    {state.organizations.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                </select>
                <FieldError error=shown field=TRANSFER_ORGANIZATION/>
            </div>
            <div class="field">
                <label for=TRANSFER_NOTE>"Note to Coordinated Entry"</label>
                <textarea id=TRANSFER_NOTE name=transfer_field("note") rows="3" maxlength=NOTE_MAX.to_string()
                    aria-describedby=format!("{TRANSFER_NOTE}-error") on:input=set(TRANSFER_NOTE, |d, v| d.note = v)></textarea>
                <FieldError error=shown field=TRANSFER_NOTE/>
            </div>
            <button type="submit" class="secondary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                {move || if pending.get() { "Requesting…" } else { "Request transfer" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn TransferHistory(requests: Vec<TransferEntry>) -> impl IntoView {
    (!requests.is_empty()).then(|| view! {
        <ul class="notes" aria-label="Transfer requests">
            {requests.into_iter().map(|r| view! {
                <li>
                    <p><strong>{r.status.clone()}</strong>{format!(" · asked {} by {} · {}", format_date(r.requested_on), r.requested_by, r.asked_for)}</p>
                    <p>{format!("{}: {}", r.reason, r.note)}</p>
                    {r.decision_note.clone().map(|note| view! { <p class="note-body">{format!("Coordinated Entry: {note}")}</p> })}
                </li>
            }).collect_view()}
        </ul>
    })
}

#[component]
pub fn TransferRequestsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><TransferRequests/></Guarded> }
}

#[component]
fn TransferRequests() -> impl IntoView {
    let query = use_query_map();
    let saved = RwSignal::new(query.read_untracked().get("declined").is_some());
    let reload = RwSignal::new(0u32);
    let project = project_filter();
    let queue = Resource::new(
        move || (reload.get(), project()),
        |(_, project)| transfer_requests(project),
    );
    view! {
        <section class="panel">
            <h1>"Transfer requests"</h1>
            <p class="hint">"Providers' requests to move an enrolled client to another project type or provider. Refer the client to a new opening, or decline with a note; the provider is told either way."</p>
            {move || project().is_some().then(|| view! {
                <p role="note">"Showing the requests of one project's clients (from CoC referrals). "
                    <a href=routes::TRANSFER_REQUESTS>"Show all transfer requests"</a></p>
            })}
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Declined; the provider was told."</p> })}
            <Loaded resource=queue loading="Loading transfer requests…" view=move |queue| {
                if queue.rows.is_empty() {
                    return view! { <p>"No transfer requests await an answer."</p> }.into_any();
                }
                let can_answer = queue.can_answer;
                view! {
                    {(!can_answer).then(|| view! { <p class="notice-inline" role="note">"The CoC's Priority List Manager answers transfer requests."</p> })}
                    <table class="data">
                        <caption class="sr-only">"Transfer requests, longest waiting first"</caption>
                        <thead><tr>
                            <th scope="col">"Client"</th><th scope="col">"From"</th><th scope="col">"Asked for"</th>
                            <th scope="col">"Reason and note"</th><th scope="col">"Days waiting"</th>
                            {can_answer.then(|| view! { <th scope="col">"Answer"</th> })}
                        </tr></thead>
                        <tbody>
                            {queue.rows.into_iter().map(|row| view! { <QueueRow row can_answer reload saved/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }/>
        </section>
    }
}

#[component]
fn QueueRow(
    row: TransferQueueRow,
    can_answer: bool,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <tr>
            <td><a href=format!("/clients/{}", row.client_id)>{row.client_name.clone()}</a></td>
            <td>{format!("{} ({})", row.project, row.organization)}</td>
            <td>{row.asked_for.clone()}</td>
            <td>{format!("{}: {}", row.reason, row.note)}</td>
            <td>{format!("{} (since {})", row.days_waiting, format_date(row.requested_on))}</td>
            {can_answer.then(|| view! { <td><AnswerCell row=row.clone() reload saved/></td> })}
        </tr>
    }
}

/// A row's answers: the link to "Refer to housing opening" for this request, and the decline
/// form (an action of its own, so its errors stay in its row).
#[component]
fn AnswerCell(
    row: TransferQueueRow,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let decline = ServerAction::<DeclineTransfer>::new();
    follow_saves(decline, saved, reload);
    let error = form_error(decline);
    let note_id = format!("{DECLINE_NOTE}-{}", row.id);
    let refer = routes::with_query(
        &routes::refer(row.client_id),
        "transfer",
        &row.id.to_string(),
    );
    let request = TransferRef {
        id: row.id,
        version: row.version,
    };
    view! {
        <a class="button" href=refer aria-label=format!("Refer to housing opening: {}", row.client_name)>"Refer to housing opening"</a>
        <details open=move || error.get().is_some()>
            <summary aria-label=format!("Decline: {}", row.client_name)>"Decline"</summary>
            <ActionForm action=decline attr:novalidate=true>
                <ErrorSummary error labels=DECLINE_LABELS/>
                <input type="hidden" name="request[id]" value=request.id.to_string()/>
                <input type="hidden" name="request[version]" value=request.version.to_string()/>
                <label for=note_id.clone()>"Note to the provider"</label>
                <textarea id=note_id.clone() name="answer[note]" rows="2" maxlength=NOTE_MAX.to_string()
                    aria-describedby=format!("{DECLINE_NOTE}-error")></textarea>
                <FieldError error field=DECLINE_NOTE/>
                <button type="submit" class="secondary" disabled=move || decline.pending().get()>
                    {move || if decline.pending().get() { "Declining…" } else { "Decline transfer" }}
                </button>
            </ActionForm>
        </details>
    }
}

/// The transfer request "Refer to housing opening" answers (`?transfer=`), loaded by the page.
pub type TransferSummaryResource = Resource<Result<Option<TransferSummary>, AppError>>;

/// The page makes it outside its Suspense, so that it reaches the browser.
pub fn transfer_summary_resource(
    client: impl Fn() -> Option<i64> + Send + Sync + 'static,
) -> TransferSummaryResource {
    let query = use_query_map();
    Resource::new(
        move || {
            (
                client(),
                query
                    .read()
                    .get("transfer")
                    .and_then(|t| t.parse::<i64>().ok()),
            )
        },
        |ids| async move {
            match ids {
                (Some(client_id), Some(id)) => get_transfer_summary(client_id, id).await,
                _ => Ok(None),
            }
        },
    )
}

/// On "Refer to housing opening" opened from the queue (`?transfer=`): which request the referral
/// answers, carried in the form. Nothing when there is none.
#[component]
pub fn TransferAnswered(summary: TransferSummaryResource) -> impl IntoView {
    view! {
        <Loaded resource=summary loading="Loading the transfer request…" view=|summary| {
            summary.map(|s| view! {
                <input type="hidden" name="referral[transfer]" value=s.id.to_string()/>
                <p class="notice-inline" role="note">
                    {format!("This referral answers the transfer request from {} ({}): {}; asked for {}.", s.project, s.organization, s.reason, s.asked_for)}
                </p>
            })
        }/>
    }
}

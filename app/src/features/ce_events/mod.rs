//! CE Events (HUD 4.20): the Priority List, "Refer to housing opening", the client's
//! Coordinated Entry Event page and the CE Event form.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::ce_event::{validate_ce_event, CeEventDraft, CeEventField, CeEventField as F};
use crate::domain::codes::ReferralResult;
use crate::domain::dates::format_date;
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::features::intake::api::StartIntake;
use crate::ui::{
    form_error, param_id, shown_errors, today, unavailable_reason, ErrorPanel, ErrorSummary,
    FieldError, FieldLabels,
};
use api::{
    get_ce_event, list_ce_events, priority_list, record_field, referral_field, referral_form,
    CeEventForm, CeEventList, CorrectCeEvent, EventRef, PriorityListPage, ReferToHousing,
    ReferralOptions, SaveCeEvent, UpdateNeedStatus,
};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn opt_date(date: Option<chrono::NaiveDate>) -> String {
    date.map(format_date).unwrap_or_default()
}

// ---- Priority List -----------------------------------------------------------------------

#[component]
pub fn PriorityListPage() -> impl IntoView {
    view! { <Guarded needs_context=true><PriorityList/></Guarded> }
}

#[component]
fn PriorityList() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let list = Resource::new(
        move || {
            (
                param("q"),
                param("pending"),
                param("sort"),
                param("page").parse::<i64>().unwrap_or(1),
            )
        },
        |(q, pending, sort, page)| priority_list(q, pending, sort, page),
    );
    view! {
        <section class="panel">
            <h1>"Priority List"</h1>
            <Form method="GET" action="/priority-list" attr:class="filter-form" attr:role="search">
                <div class="field">
                    <label for="q">"Name"</label>
                    <input id="q" name="q" type="search" value=param("q") prop:value=move || param("q")/>
                </div>
                <div class="field">
                    <label for="pending">"Pending referral"</label>
                    <select id="pending" name="pending">
                        <option value="" selected=move || param("pending").is_empty()>"Any"</option>
                        <option value="yes" selected=move || param("pending") == "yes">"With a pending referral"</option>
                        <option value="no" selected=move || param("pending") == "no">"Without a pending referral"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="sort">"Sort by"</label>
                    <select id="sort" name="sort">
                        <option value="" selected=move || param("sort").is_empty()>"Longest on the list"</option>
                        <option value="name" selected=move || param("sort") == "name">"Name"</option>
                        <option value="last_referral" selected=move || param("sort") == "last_referral">"Most recent referral"</option>
                    </select>
                </div>
                <button type="submit" class="primary">"Filter"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Loading the Priority List…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => view! { <PriorityTable page link=move |n: i64| format!("/priority-list?q={}&pending={}&sort={}&page={n}", param("q"), param("pending"), param("sort"))/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PriorityTable(
    page: PriorityListPage,
    link: impl Fn(i64) -> String + Send + Sync + 'static,
) -> impl IntoView {
    let can_refer = page.can_refer;
    if page.rows.is_empty() {
        return view! { <p role="status">"No clients on the " {page.coc} " Priority List match."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption>{format!("{} Priority List: clients awaiting placement", page.coc)}</caption>
            <thead><tr>
                <th scope="col">"Client"</th><th scope="col">"Date of birth"</th><th scope="col">"On list since"</th>
                <th scope="col">"Days"</th><th scope="col">"Pending referrals"</th><th scope="col">"Last referral"</th>
                <th scope="col"><span class="sr-only">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {page.rows.into_iter().map(|row| view! {
                    <tr>
                        <td><a href=format!("/clients/{}/ce-events", row.client_id)>{row.name.clone()}</a></td>
                        <td>{opt_date(row.dob)}</td>
                        <td>{format_date(row.ce_entry_date)}</td>
                        <td>{row.days_on_list}</td>
                        <td>{row.pending_referrals}</td>
                        <td>{opt_date(row.last_referral)}</td>
                        <td>{can_refer.then(|| view! {
                            <a class="button small" href=format!("/clients/{}/refer", row.client_id)
                                aria-label=format!("Refer {} to housing opening", row.name)>"Refer to housing opening"</a>
                        })}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Priority List pages">
            {(page.page > 1).then(|| view! { <a href=link(page.page - 1) rel="prev">"Previous"</a> })}
            <span>"Page " {page.page}</span>
            {page.has_next.then(|| view! { <a href=link(page.page + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

// ---- Refer to housing opening ------------------------------------------------------------

const REFER_LABELS: FieldLabels = &[
    ("project_id", "Referred to project"),
    ("event_date", "Event Date"),
    ("event", "Event"),
    ("project_id", "Referred to project"),
];

#[component]
pub fn ReferPage() -> impl IntoView {
    view! { <Guarded needs_context=true><Refer/></Guarded> }
}

#[component]
fn Refer() -> impl IntoView {
    let client_id = param_id("id");
    let options = Resource::new(client_id, |id| async move {
        match id {
            Some(id) => referral_form(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! { <ReferForm options/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReferForm(options: ReferralOptions) -> impl IntoView {
    let action = ServerAction::<ReferToHousing>::new();
    let error = form_error(action);
    let targets = StoredValue::new(options.targets.clone());
    let project = RwSignal::new(String::new());
    let events_for = move |project: &str| {
        targets.with_value(|targets| {
            targets
                .iter()
                .find(|t| t.id.to_string() == project)
                .map(|t| t.events.clone())
                .unwrap_or_default()
        })
    };
    let client_id = options.client_id;
    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::CeEvent/>
            <section class="panel">
                <h1>"Refer to housing opening"</h1>
                <p>{options.client_name.clone()} " · on the Priority List since " {format_date(options.ce_entry_date)}</p>
                <ErrorSummary error labels=REFER_LABELS/>
                <ActionForm action>
                    <input type="hidden" name="client_id" value=client_id.to_string()/>
                    <div class="field">
                        <label for="project_id">"Referred to project"</label>
                        <select id="project_id" name=referral_field("project_id") required aria-describedby="project_id-error"
                            on:change=move |ev| project.set(event_target_value(&ev))>
                            <option value="">"Choose a project…"</option>
                            {options.targets.iter().map(|t| view! {
                                <option value=t.id.to_string()>{format!("{} ({})", t.name, t.organization)}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error field="project_id"/>
                    </div>
                    <div class="field">
                        <label for="event_date">"Event Date"</label>
                        <input id="event_date" name=referral_field("event_date") type="date" required value=today().to_string()
                            min=options.ce_entry_date.to_string() max=today().to_string() aria-describedby="event_date-error"/>
                        <FieldError error field="event_date"/>
                    </div>
                    <div class="field">
                        <label for="event">"Event"</label>
                        <select id="event" name=referral_field("event") required aria-describedby="event-hint event-error">
                            {move || {
                                let events = events_for(&project.get());
                                if events.is_empty() {
                                    view! { <option value="">"Choose the project first"</option> }.into_any()
                                } else {
                                    events.into_iter().enumerate().map(|(i, (code, label))| view! {
                                        <option value=code.to_string() selected=i == 0>{label}</option>
                                    }).collect_view().into_any()
                                }
                            }}
                        </select>
                        <p class="hint" id="event-hint">"Set from the project's type (HUD 4.20.2); choose Joint TH-RRH, EHV or a Housing Stability Voucher by hand."</p>
                        <FieldError error field="event"/>
                    </div>
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || action.pending().get() aria-busy=move || action.pending().get().to_string()>
                            {move || if action.pending().get() { "Referring…" } else { "Refer" }}
                        </button>
                        <a href=format!("/clients/{client_id}/ce-events")>"Cancel"</a>
                    </div>
                </ActionForm>
            </section>
        </div>
    }
}

// ---- The client's CE Event page ----------------------------------------------------------

#[component]
pub fn CeEventsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><CeEvents/></Guarded> }
}

#[component]
fn CeEvents() -> impl IntoView {
    let client_id = param_id("id");
    let list = Resource::new(client_id, |id| async move {
        match id {
            Some(id) => list_ce_events(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let referred = use_query_map().read_untracked().get("referred").is_some();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading CE Events…"</p> }>
            {move || Suspend::new(async move {
                match (list.await, client_id()) {
                    (Ok(list), Some(id)) => view! { <CeEventTable list client_id=id referred/> }.into_any(),
                    (Err(error), _) => view! { <ErrorPanel error/> }.into_any(),
                    (_, None) => view! { <ErrorPanel error=AppError::NotFound/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CeEventTable(list: CeEventList, client_id: i64, referred: bool) -> impl IntoView {
    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::CeEvent/>
            <section class="panel">
                <h1>"Coordinated Entry Event"</h1>
                <p class="muted">{list.client_name.clone()}</p>
                {referred.then(|| view! { <p class="confirmation" role="status">"Referral recorded."</p> })}
                {list.can_refer.then(|| view! {
                    <p><a class="button" href=format!("/clients/{client_id}/refer")>"Refer to housing opening"</a></p>
                })}
                {if list.rows.is_empty() {
                    view! { <p>"No CE Events your organization may see."</p> }.into_any()
                } else {
                    view! {
                        <table class="data">
                            <thead><tr>
                                <th scope="col"><span class="sr-only">"Edit"</span></th>
                                <th scope="col">"Event Date"</th><th scope="col">"Event"</th><th scope="col">"Referred to"</th>
                                <th scope="col">"Referral Need Status"</th><th scope="col">"Date Acknowledged"</th>
                                <th scope="col">"Referral Result"</th><th scope="col">"Result Date"</th>
                            </tr></thead>
                            <tbody>
                                {list.rows.into_iter().map(|row| {
                                    let label = format!("Edit CE Event of {} to {}", format_date(row.event_date), row.referred_to.clone().unwrap_or_default());
                                    view! {
                                        <tr>
                                            <td>{row.editable.then(|| view! {
                                                <a class="edit-icon" href=format!("/clients/{client_id}/ce-events/{}", row.id) aria-label=label.clone() title=label>"✎"</a>
                                            })}</td>
                                            <td>{format_date(row.event_date)}</td>
                                            <td>{row.event}</td>
                                            <td>{row.referred_to.unwrap_or_default()}</td>
                                            <td>{row.need_status.unwrap_or_default()}</td>
                                            <td>{opt_date(row.date_acknowledged)}</td>
                                            <td>{row.referral_result.unwrap_or_default()}</td>
                                            <td>{opt_date(row.result_date)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

// ---- The CE Event form -------------------------------------------------------------------

/// Labels of the CE Event form's fields, then of the correction's.
const CE_EVENT_LABELS: FieldLabels = &[
    (
        F::DateReferralAcknowledged.name(),
        F::DateReferralAcknowledged.label(),
    ),
    (
        F::ProviderContactName.name(),
        F::ProviderContactName.label(),
    ),
    (
        F::ProviderContactPhone.name(),
        F::ProviderContactPhone.label(),
    ),
    (
        F::ProviderContactEmail.name(),
        F::ProviderContactEmail.label(),
    ),
    (F::ReferralResult.name(), F::ReferralResult.label()),
    (F::ResultDate.name(), F::ResultDate.label()),
    (
        F::ResultingEnrollment.name(),
        F::ResultingEnrollment.label(),
    ),
    (F::NotHousedReason.name(), F::NotHousedReason.label()),
    ("event_date", "Event Date"),
    ("event", "Event"),
    ("project_id", "Referred to project"),
];

/// The hidden `record[...]` fields: which event a form saves, at which version.
fn record_fields(record: EventRef) -> impl IntoView {
    view! {
        <input type="hidden" name=record_field("client_id") value=record.client_id.to_string()/>
        <input type="hidden" name=record_field("event_id") value=record.event_id.to_string()/>
        <input type="hidden" name=record_field("version") value=record.version.to_string()/>
    }
}

#[component]
pub fn CeEventFormPage() -> impl IntoView {
    view! { <Guarded needs_context=true><CeEventLoader/></Guarded> }
}

#[component]
fn CeEventLoader() -> impl IntoView {
    let client_id = param_id("id");
    let event_id = param_id("event_id");
    let reload = RwSignal::new(0u32);
    let form = Resource::new(
        move || (client_id(), event_id(), reload.get()),
        |(client, event, _)| async move {
            match (client, event) {
                (Some(client), Some(event)) => get_ce_event(client, event).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    // "Saved." outlives the editor, which is rebuilt with the saved values after each save.
    let saved = RwSignal::new(use_query_map().read_untracked().get("saved").is_some());
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the CE Event…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <CeEventEditor form reload saved/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CeEventEditor(form: CeEventForm, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    // Back from an intake started here: its enrollment is chosen as the successful result.
    let mut form = form;
    let from_intake = use_query_map()
        .read_untracked()
        .get("enrollment")
        .and_then(|v| v.parse::<i64>().ok());
    if let Some(option) = from_intake
        .filter(|_| form.can_resolve && form.facts.referral_result.is_none())
        .and_then(|id| form.enrollment_options.iter().find(|o| o.id == id))
    {
        form.draft.referral_result =
            CeEventDraft::result_value(Some(ReferralResult::SuccessfulClientAccepted));
        form.draft.resulting_enrollment = option.id.to_string();
        form.draft.result_date = option.entry_date.to_string();
    }
    let start_intake = ServerAction::<StartIntake>::new();
    let record = form.record();
    let event_id = form.id;
    let save = ServerAction::<SaveCeEvent>::new();
    let server_error = form_error(save);
    let client_id = form.client_id;
    let facts = StoredValue::new(form.facts.clone());
    let options = StoredValue::new(form.enrollment_options.clone());
    let reason_ids: Vec<i64> = form.reasons.iter().map(|(id, _)| *id).collect();
    let reason_ids = StoredValue::new(reason_ids);
    let draft = RwSignal::new(form.draft.clone());
    // Rendered as `value` attributes too, so the form reads and posts without JavaScript.
    let initial = form.draft.clone();
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let locked = form.facts.is_locked_successful();
    let takes_result = form.facts.event.takes_referral_result();

    let validation = Memo::new(move |_| {
        let draft = draft.get();
        facts.with_value(|facts| {
            options.with_value(|options| {
                reason_ids.with_value(|reasons| {
                    validate_ce_event(facts, &draft, options, reasons, today()).err()
                })
            })
        })
    });
    // Errors shown: the rules' verdict on fields the user has touched, then the server's.
    let shown = shown_errors(validation, touched, server_error);
    // Reload the form with the saved values (and the new version) after a save.
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(_)) => saved.set(false),
        None => {}
    });

    let set = move |field: CeEventField, value: String| {
        options.with_value(|options| draft.update(|d| d.set(field, value, options)));
        touched.update(|t| {
            // Choosing a result asks for the acknowledgement it implies.
            let implied: &[CeEventField] = if field == F::ReferralResult {
                &[field, F::DateReferralAcknowledged]
            } else {
                &[field]
            };
            for f in implied {
                if !t.contains(&f.name()) {
                    t.push(f.name());
                }
            }
        });
    };
    let value = move |f: fn(&CeEventDraft) -> String| move || draft.with(f);
    let result_is = move |result: Option<ReferralResult>| draft.with(|d| d.result() == result);
    let successful = move || result_is(Some(ReferralResult::SuccessfulClientAccepted));
    let has_result = move || draft.with(|d| !d.referral_result.is_empty());
    let invalid = move |field: CeEventField| {
        move || {
            shown.get().and_then(|e| {
                e.field_errors()
                    .and_then(|f| f.get(field.name()).map(|_| "true"))
            })
        }
    };

    let event_date = form.facts.event_date;
    let option_list = form.enrollment_options.clone();
    let no_options = option_list.is_empty();
    let reasons = form.reasons.clone();
    let can_resolve = form.can_resolve;
    let read_only_result = form.facts.referral_result.map(|r| r.label().to_string());
    let locked_enrollment = form
        .enrollment_options
        .iter()
        .find(|o| Some(o.id) == form.facts.resulting_enrollment_id)
        .map(|o| {
            format!(
                "{} (Project Start Date {})",
                o.project_name,
                format_date(o.entry_date)
            )
        })
        .unwrap_or_default();

    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::CeEvent/>
            <section class="panel">
                <h1>"CE Event"</h1>
                <p class="muted">{form.client_name.clone()}</p>
                <dl class="facts">
                    <dt>"Event Date"</dt><dd>{format_date(form.facts.event_date)}</dd>
                    <dt>"Event"</dt><dd>{form.event_label.clone()}</dd>
                    <dt>"Referred to"</dt><dd>{form.referred_project.clone()}</dd>
                    <dt>"Referral Need Status"</dt>
                    <dd>
                        {form.need_status.clone().unwrap_or_default()}
                        {form.need_status_due.filter(|_| form.facts.referral_result.is_none()).map(|due| {
                            let overdue = crate::domain::timeliness::is_overdue(Some(due), today());
                            view! {
                                <span class=if overdue { "badge overdue" } else { "badge" }>
                                    {if overdue { format!("Overdue since {}", format_date(due + chrono::Duration::days(1))) } else { format!("Due by {}", format_date(due)) }}
                                </span>
                            }
                        })}
                    </dd>
                </dl>
                {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
                <ErrorSummary error=shown labels=CE_EVENT_LABELS/>
                {move || matches!(server_error.get(), Some(AppError::Conflict)).then(|| view! {
                    <p><button type="button" on:click=move |_| reload.update(|n| *n += 1)>"Reload the latest version"</button></p>
                })}
                {if can_resolve {
                    view! {
                        <ActionForm action=save attr:class="ce-event-form" attr:novalidate=true>
                            {record_fields(record)}
                            <fieldset>
                                <legend>"Acknowledgement"</legend>
                                {if locked {
                                    view! {
                                        <p class="field-readonly"><span class="label">"Date Referral Acknowledged"</span> {opt_date(form.facts.date_acknowledged)}</p>
                                        <input type="hidden" name=F::DateReferralAcknowledged.form_name() value=initial.date_referral_acknowledged.clone() prop:value=value(|d| d.date_referral_acknowledged.clone())/>
                                    }.into_any()
                                } else {
                                    view! {
                                        <div class="field">
                                            <label for="date_referral_acknowledged">"Date Referral Acknowledged"</label>
                                            <input id="date_referral_acknowledged" name=F::DateReferralAcknowledged.form_name() type="date"
                                                min=event_date.to_string() max=today().to_string()
                                                value=initial.date_referral_acknowledged.clone() prop:value=value(|d| d.date_referral_acknowledged.clone())
                                                on:input=move |ev| set(F::DateReferralAcknowledged, event_target_value(&ev))
                                                aria-invalid=invalid(F::DateReferralAcknowledged) aria-describedby="date_referral_acknowledged-error"/>
                                            <FieldError error=shown field="date_referral_acknowledged"/>
                                        </div>
                                    }.into_any()
                                }}
                                <div class="field">
                                    <label for="provider_contact_name">"Housing Provider Contact Name"</label>
                                    <input id="provider_contact_name" name=F::ProviderContactName.form_name() type="text" maxlength="100" autocomplete="name"
                                        value=initial.provider_contact_name.clone() prop:value=value(|d| d.provider_contact_name.clone())
                                        on:input=move |ev| set(F::ProviderContactName, event_target_value(&ev))
                                        aria-invalid=invalid(F::ProviderContactName) aria-describedby="provider_contact_name-error"/>
                                    <FieldError error=shown field="provider_contact_name"/>
                                </div>
                                <div class="field-row">
                                    <div class="field">
                                        <label for="provider_contact_phone">"Housing Provider Contact Phone"</label>
                                        <input id="provider_contact_phone" name=F::ProviderContactPhone.form_name() type="tel" autocomplete="tel" inputmode="tel"
                                            value=initial.provider_contact_phone.clone() prop:value=value(|d| d.provider_contact_phone.clone())
                                            on:input=move |ev| set(F::ProviderContactPhone, event_target_value(&ev))
                                            aria-invalid=invalid(F::ProviderContactPhone) aria-describedby="provider_contact_phone-error"/>
                                        <FieldError error=shown field="provider_contact_phone"/>
                                    </div>
                                    <div class="field">
                                        <label for="provider_contact_email">"Housing Provider Contact Email"</label>
                                        <input id="provider_contact_email" name=F::ProviderContactEmail.form_name() type="email" autocomplete="email"
                                            value=initial.provider_contact_email.clone() prop:value=value(|d| d.provider_contact_email.clone())
                                            on:input=move |ev| set(F::ProviderContactEmail, event_target_value(&ev))
                                            aria-invalid=invalid(F::ProviderContactEmail) aria-describedby="provider_contact_email-error"/>
                                        <FieldError error=shown field="provider_contact_email"/>
                                    </div>
                                </div>
                            </fieldset>
                            {if takes_result {
                                view! {
                                    <fieldset>
                                        <legend>"Referral outcome"</legend>
                                        {if locked {
                                            view! {
                                                <p class="notice-inline" role="note">"This referral was resolved as successful: the client was enrolled. Its Referral Result, Result Date and Resulting Enrollment can no longer change. If the client is not housed, record If Not Housed, Reason."</p>
                                                <p class="field-readonly"><span class="label">"Referral Result"</span> {read_only_result.clone()}</p>
                                                <p class="field-readonly"><span class="label">"Result Date"</span> {opt_date(form.facts.result_date)}</p>
                                                <p class="field-readonly"><span class="label">"Resulting Enrollment"</span> {locked_enrollment.clone()}</p>
                                                <input type="hidden" name=F::ReferralResult.form_name() value=initial.referral_result.clone() prop:value=value(|d| d.referral_result.clone())/>
                                                <input type="hidden" name=F::ResultDate.form_name() value=initial.result_date.clone() prop:value=value(|d| d.result_date.clone())/>
                                                <input type="hidden" name=F::ResultingEnrollment.form_name() value=initial.resulting_enrollment.clone() prop:value=value(|d| d.resulting_enrollment.clone())/>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <div class="field">
                                                    <label for="referral_result">"Referral Result"</label>
                                                    <select id="referral_result" name=F::ReferralResult.form_name()
                                                        on:change=move |ev| set(F::ReferralResult, event_target_value(&ev))
                                                        aria-invalid=invalid(F::ReferralResult) aria-describedby="referral_result-error">
                                                        <option value="" selected=move || result_is(None)>"(not resolved yet)"</option>
                                                        {ReferralResult::ALL.iter().map(|&r| view! {
                                                            <option value=CeEventDraft::result_value(Some(r)) selected=move || result_is(Some(r))>{r.label()}</option>
                                                        }).collect_view()}
                                                    </select>
                                                    <FieldError error=shown field="referral_result"/>
                                                </div>
                                                <div class="field" class:hidden=move || !successful()>
                                                    <label for="resulting_enrollment">"Resulting Enrollment"</label>
                                                    <select id="resulting_enrollment" name=F::ResultingEnrollment.form_name()
                                                        on:change=move |ev| set(F::ResultingEnrollment, event_target_value(&ev))
                                                        aria-invalid=invalid(F::ResultingEnrollment) aria-describedby="resulting_enrollment-hint resulting_enrollment-error">
                                                        <option value="" selected=move || draft.with(|d| d.resulting_enrollment.is_empty())>"Choose the enrollment…"</option>
                                                        {option_list.iter().map(|o| {
                                                            let id = o.id.to_string();
                                                            let selected_id = id.clone();
                                                            view! {
                                                                <option value=id selected=move || draft.with(|d| d.resulting_enrollment == selected_id)>
                                                                    {format!("{} (Project Start Date {})", o.project_name, format_date(o.entry_date))}
                                                                </option>
                                                            }
                                                        }).collect_view()}
                                                    </select>
                                                    {no_options.then(|| view! {
                                                        <p class="hint" id="resulting_enrollment-hint">
                                                            "This client has no enrollment in your organization's projects that started on or after the Event Date. Complete an Intake for the client first; it returns here with the enrollment chosen. "
                                                            // Submits the Start intake form below (forms cannot nest).
                                                            <button type="submit" form="start-intake" class="secondary small">"Start intake"</button>
                                                        </p>
                                                    })}
                                                    <FieldError error=shown field="resulting_enrollment"/>
                                                </div>
                                                <div class="field" class:hidden=move || !has_result()>
                                                    <label for="result_date">"Result Date"</label>
                                                    <input id="result_date" name=F::ResultDate.form_name() type="date"
                                                        min=event_date.to_string() max=today().to_string()
                                                        readonly=successful
                                                        value=initial.result_date.clone() prop:value=value(|d| d.result_date.clone())
                                                        on:input=move |ev| set(F::ResultDate, event_target_value(&ev))
                                                        aria-invalid=invalid(F::ResultDate) aria-describedby="result_date-hint result_date-error"/>
                                                    {move || successful().then(|| view! {
                                                        <p class="hint" id="result_date-hint">"For a successful referral this is the Resulting Enrollment's project start date."</p>
                                                    })}
                                                    <FieldError error=shown field="result_date"/>
                                                </div>
                                            }.into_any()
                                        }}
                                        <div class="field" class:hidden=move || !has_result()>
                                            <label for="not_housed_reason">"If Not Housed, Reason"</label>
                                            <select id="not_housed_reason" name=F::NotHousedReason.form_name()
                                                on:change=move |ev| set(F::NotHousedReason, event_target_value(&ev))
                                                aria-invalid=invalid(F::NotHousedReason) aria-describedby="not_housed_reason-error">
                                                <option value="" selected=move || draft.with(|d| d.not_housed_reason.is_empty())>"(none)"</option>
                                                {reasons.iter().map(|(id, label)| {
                                                    let id = id.to_string();
                                                    let selected_id = id.clone();
                                                    view! { <option value=id selected=move || draft.with(|d| d.not_housed_reason == selected_id)>{label.clone()}</option> }
                                                }).collect_view()}
                                            </select>
                                            <FieldError error=shown field="not_housed_reason"/>
                                        </div>
                                    </fieldset>
                                }.into_any()
                            } else {
                                view! {
                                    <input type="hidden" name=F::ReferralResult.form_name() value=""/>
                                    <input type="hidden" name=F::ResultDate.form_name() value=""/>
                                    <input type="hidden" name=F::ResultingEnrollment.form_name() value=""/>
                                    <input type="hidden" name=F::NotHousedReason.form_name() value=""/>
                                }.into_any()
                            }}
                            <div class="actions">
                                <button type="submit" class="primary"
                                    disabled=move || save.pending().get() || validation.get().is_some()
                                    aria-busy=move || save.pending().get().to_string() aria-describedby="save-reason">
                                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                                </button>
                                <span id="save-reason" class="hint" aria-live="polite">
                                    {move || validation.get().map(|e| unavailable_reason(&e, CE_EVENT_LABELS))}
                                </span>
                                <a href=format!("/clients/{client_id}/ce-events")>"Back to CE Events"</a>
                            </div>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <ReadOnlyOutcome form=form.clone()/> }.into_any()
                }}
                {(can_resolve && no_options && form.facts.referral_result.is_none()).then(|| view! {
                    <ActionForm action=start_intake attr:id="start-intake" attr:class="hidden">
                        <input type="hidden" name="client_id" value=client_id/>
                        <input type="hidden" name="ce_event_id" value=event_id/>
                    </ActionForm>
                })}
                {form.can_resolve.then(|| view! { <NeedStatusForm form=form.clone() reload saved/> })}
                {form.can_correct.then(|| view! { <CorrectionForm form=form.clone() reload/> })}
                <History form=form.clone()/>
            </section>
        </div>
    }
}

#[component]
fn NeedStatusForm(
    form: CeEventForm,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let update = ServerAction::<UpdateNeedStatus>::new();
    let record = form.record();
    let error = form_error(update);
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
    });
    if form.need_status_options.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="subsection" aria-labelledby="need-status-heading">
            <h2 id="need-status-heading">"Referral Need Status"</h2>
            <p class="hint">"Keep the status current: it is how the Coordinated Entry team follows this referral."</p>
            <ActionForm action=update attr:class="inline-form">
                {record_fields(record)}
                <div class="field">
                    <label for="need_status">"Move to status"</label>
                    <select id="need_status" name="need_status" aria-describedby="need_status-error">
                        {form.need_status_options.iter().map(|(id, name)| view! {
                            <option value=id.to_string()>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error field="need_status"/>
                </div>
                <button type="submit" disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Updating…" } else { "Update status" }}
                </button>
            </ActionForm>
            {move || error.get().filter(|e| e.field_errors().is_none()).map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn ReadOnlyOutcome(form: CeEventForm) -> impl IntoView {
    let reason = form
        .reasons
        .iter()
        .find(|(id, _)| id.to_string() == form.draft.not_housed_reason)
        .map(|(_, label)| label.clone())
        .unwrap_or_default();
    view! {
        <p class="muted">"Only the receiving organization acknowledges and resolves this referral."</p>
        <dl class="facts">
            <dt>"Date Referral Acknowledged"</dt><dd>{form.draft.date_referral_acknowledged.clone()}</dd>
            <dt>"Housing Provider Contact"</dt>
            <dd>{[form.draft.provider_contact_name.clone(), form.draft.provider_contact_phone.clone(), form.draft.provider_contact_email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</dd>
            <dt>"Referral Result"</dt><dd>{form.facts.referral_result.map(|r| r.label()).unwrap_or_default()}</dd>
            <dt>"Result Date"</dt><dd>{opt_date(form.facts.result_date)}</dd>
            <dt>"If Not Housed, Reason"</dt><dd>{reason}</dd>
        </dl>
    }
}

#[component]
fn CorrectionForm(form: CeEventForm, reload: RwSignal<u32>) -> impl IntoView {
    let correct = ServerAction::<CorrectCeEvent>::new();
    let record = form.record();
    let error = form_error(correct);
    Effect::new(move |_| {
        if let Some(Ok(_)) = correct.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let current_event = form.facts.event.code();
    let current_project = form
        .retarget_options
        .iter()
        .find(|t| t.name == form.referred_project)
        .map(|t| t.id.to_string())
        .unwrap_or_default();
    let project = RwSignal::new(current_project.clone());
    let targets = form.retarget_options.clone();
    let can_retarget = !targets.is_empty();
    let allowed_events = form.allowed_events.clone();
    // The Event choices follow the project chosen (HUD 4.20.2 mapping).
    let events = move || {
        let chosen = project.get();
        targets
            .iter()
            .find(|t| t.id.to_string() == chosen)
            .map(|t| t.events.clone())
            .unwrap_or_else(|| allowed_events.clone())
    };
    view! {
        <section class="subsection" aria-labelledby="correct-heading">
            <h2 id="correct-heading">"Correct the referral (Priority List Manager)"</h2>
            <ErrorSummary error labels=CE_EVENT_LABELS/>
            <ActionForm action=correct>
                {record_fields(record)}
                {if can_retarget {
                    view! {
                        <div class="field">
                            <label for="project_id">"Referred to project"</label>
                            <select id="project_id" name=referral_field("project_id") aria-describedby="project_id-error"
                                on:change=move |ev| project.set(event_target_value(&ev))>
                                {form.retarget_options.iter().map(|t| view! {
                                    <option value=t.id.to_string() selected=t.id.to_string() == current_project>{format!("{} ({})", t.name, t.organization)}</option>
                                }).collect_view()}
                            </select>
                            <FieldError error field="project_id"/>
                        </div>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name=referral_field("project_id") value=""/> }.into_any()
                }}
                <div class="field-row">
                    <div class="field">
                        <label for="event_date">"Event Date"</label>
                        <input id="event_date" name=referral_field("event_date") type="date" value=form.facts.event_date.to_string() max=today().to_string() aria-describedby="event_date-error"/>
                        <FieldError error field="event_date"/>
                    </div>
                    <div class="field">
                        <label for="event">"Event"</label>
                        <select id="event" name=referral_field("event") aria-describedby="event-error">
                            {move || events().into_iter().map(|(code, label)| view! {
                                <option value=code.to_string() selected=code == current_event>{label}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error field="event"/>
                    </div>
                </div>
                <button type="submit" disabled=move || correct.pending().get()>
                    {move || if correct.pending().get() { "Saving…" } else { "Save correction" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn History(form: CeEventForm) -> impl IntoView {
    view! {
        <section class="subsection" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <crate::features::audit::HistoryList entries=form.history/>
        </section>
    }
}

//! Non-CE referrals: client record → Enrollment and Services → Referrals (the *Client
//! Referrals* page), the Referral Outcome / Outcome Information form, and the receiving
//! organization's list of incoming non-CE referrals.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::codes::NonCeReferralResult;
use crate::domain::dates::format_date;
use crate::domain::referral::{validate_outcome, OutcomeField, COMMENTS_MAX, SERVICE_MAX};
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::features::intake::api::StartIntake;
use crate::features::notes::{api::NoteOn, Notes};
use crate::features::reassignments::{
    reassignment_resource, ReassignmentResource, ReassignmentSection,
};
use crate::routes;
use crate::ui::{
    follow_saves, form_error, shown_errors, today, ErrorSummary, FieldError, FieldLabels, Loaded,
};
use api::{
    get_referral, incoming_non_ce, list_referrals, CreateReferral, ReferralForm, ReferralList,
    ReferralRow, SaveReferralOutcome,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::{IncomingFilter, ReferralRef};

#[component]
pub fn ReferralsPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <ClientReferrals/>
        </Guarded>
    }
}

#[component]
fn ClientReferrals() -> impl IntoView {
    let params = use_params_map();
    let client = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let reload = RwSignal::new(0u32);
    let list = Resource::new(
        move || (client(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => list_referrals(id).await.map(|l| (id, l)),
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Loaded resource=list loading="Loading referrals…"
            view=move |(client_id, list)| view! { <ReferralListView client_id list reload/> }/>
    }
}

const REFER_LABELS: FieldLabels = &[
    ("from_project", "Referred from"),
    ("to_project", "Referred to"),
    ("referral_date", "Referral Date"),
    ("service", "Service"),
    ("comments", "Comments"),
];

#[component]
fn ReferralListView(client_id: i64, list: ReferralList, reload: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateReferral>::new();
    let error = form_error(create);
    let created = RwSignal::new(use_query_map().read_untracked().get("created").is_some());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            created.set(true);
            reload.update(|n| *n += 1);
        }
    });
    let can_refer = !list.from_options.is_empty();
    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::Referrals/>
            <section class="panel">
                <h1>"Client Referrals"</h1>
                <p class="muted">{list.client_name.clone()}</p>
                {move || created.get().then(|| view! { <p class="confirmation" role="status">"Referral sent."</p> })}
                {if list.rows.is_empty() {
                    view! { <p>"No referrals your organization may see."</p> }.into_any()
                } else {
                    view! {
                        <table class="data">
                            <caption class="sr-only">"Referrals"</caption>
                            <thead><tr>
                                <th scope="col">"Referral Date"</th><th scope="col">"Service"</th>
                                <th scope="col">"Referred from"</th><th scope="col">"Referred to"</th>
                                <th scope="col">"Status"</th><th scope="col"><span class="sr-only">"Open"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td>{format_date(r.referral_date)}</td>
                                        <td>{r.service.clone()}</td>
                                        <td>{r.from_project.clone()}<br/><span class="muted">{r.from_organization.clone()}</span></td>
                                        <td>{r.to_project.clone()}</td>
                                        <td>{r.status.clone()}</td>
                                        <td><a class="edit-icon" href=routes::referral(client_id, r.id)
                                            aria-label=format!("Edit referral for {} of {}", r.service, format_date(r.referral_date))>"✎"</a></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                {can_refer.then(|| view! {
                    <details class="subsection">
                        <summary><h2 class="inline-heading">"Refer to a project"</h2></summary>
                        <ActionForm action=create attr:novalidate=true>
                            <ErrorSummary error labels=REFER_LABELS/>
                            <input type="hidden" name="client_id" value=client_id/>
                            <div class="field-row">
                                <div class="field">
                                    <label for="from_project">"Referred from"</label>
                                    <select id="from_project" name="referral[from_project]" aria-describedby="from_project-error">
                                        {list.from_options.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                    </select>
                                    <FieldError error field="from_project"/>
                                </div>
                                <div class="field">
                                    <label for="to_project">"Referred to"</label>
                                    <select id="to_project" name="referral[to_project]" aria-describedby="to_project-error">
                                        <option value="">"Choose the project…"</option>
                                        {list.to_options.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                    </select>
                                    <FieldError error field="to_project"/>
                                </div>
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="referral_date">"Referral Date"</label>
                                    <input id="referral_date" name="referral[referral_date]" type="date" value=today().to_string() max=today().to_string() aria-describedby="referral_date-error"/>
                                    <FieldError error field="referral_date"/>
                                </div>
                                <div class="field">
                                    <label for="service">"Service"</label>
                                    <input id="service" name="referral[service]" type="text" maxlength=SERVICE_MAX.to_string() aria-describedby="service-error"/>
                                    <FieldError error field="service"/>
                                </div>
                            </div>
                            <div class="field">
                                <label for="comments">"Comments"</label>
                                <textarea id="comments" name="referral[comments]" rows="3" maxlength=COMMENTS_MAX.to_string() aria-describedby="comments-error"></textarea>
                                <FieldError error field="comments"/>
                            </div>
                            <button type="submit" class="primary" disabled=move || create.pending().get()>
                                {move || if create.pending().get() { "Sending…" } else { "Send referral" }}
                            </button>
                        </ActionForm>
                    </details>
                })}
            </section>
        </div>
    }
}

#[component]
pub fn ReferralOutcomePage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <ReferralOutcomeLoader/>
        </Guarded>
    }
}

#[component]
fn ReferralOutcomeLoader() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        (
            p.get("id").and_then(|v| v.parse::<i64>().ok()),
            p.get("referral_id").and_then(|v| v.parse::<i64>().ok()),
        )
    };
    let reload = RwSignal::new(0u32);
    let form = Resource::new(
        move || (ids(), reload.get()),
        |(ids, _)| async move {
            match ids {
                (Some(c), Some(r)) => get_referral(c, r).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    // Made here, outside the form's Suspense: a resource made inside it is not carried to the
    // browser, and the page would not hydrate.
    let reassignment = reassignment_resource(ids, reload);
    let saved = RwSignal::new(use_query_map().read_untracked().get("saved").is_some());
    view! {
        <Loaded resource=form loading="Loading the referral…"
            view=move |form| view! { <ReferralOutcomeForm form reassignment reload saved/> }/>
    }
}

const OUTCOME_LABELS: FieldLabels = &[
    ("date_referral_acknowledged", "Date Referral Acknowledged"),
    ("appointment_date", "Appointment Date"),
    ("result_date", "Result Date"),
    ("result", "Result"),
    ("outcome_comments", "Comments"),
];

#[component]
fn ReferralOutcomeForm(
    form: ReferralForm,
    reassignment: ReassignmentResource,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let save = ServerAction::<SaveReferralOutcome>::new();
    let server_error = form_error(save);
    let start = ServerAction::<StartIntake>::new();
    let facts = StoredValue::new(form.facts.clone());
    let draft = RwSignal::new(form.draft.clone());
    let initial = form.draft.clone();
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let rule = Memo::new(move |_| {
        let d = draft.get();
        facts.with_value(|f| validate_outcome(&d, f, today()).err())
    });
    let shown = shown_errors(rule, touched, server_error);
    follow_saves(save, saved, reload);
    let set = move |field: OutcomeField, value: String| {
        draft.update(|d| field.set(d, value));
        touched.update(|t| {
            let implied: &[OutcomeField] = if field == OutcomeField::Result {
                &[
                    field,
                    OutcomeField::ResultDate,
                    OutcomeField::DateReferralAcknowledged,
                ]
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
    let invalid = move |field: OutcomeField| {
        move || {
            shown.get().and_then(|e| {
                e.field_errors()
                    .and_then(|f| f.get(field.name()).map(|_| "true"))
            })
        }
    };
    let date_field = move |field: OutcomeField,
                           label: &'static str,
                           hint: &'static str,
                           initial: String| {
        let key = field.name();
        view! {
            <div class="field">
                <label for=key>{label}</label>
                <input id=key name=field.form_name() type="date" max=today().to_string() value=initial
                    prop:value=move || draft.with(|d| field.get(d).to_string())
                    on:input=move |ev| set(field, event_target_value(&ev))
                    aria-invalid=invalid(field)
                    aria-describedby=format!("{key}-hint {key}-error")/>
                <p class="hint" id=format!("{key}-hint")>{hint}</p>
                <FieldError error=shown field=key/>
            </div>
        }
    };
    let services_provided = form.facts.result == Some(NonCeReferralResult::ServicesProvided.code());
    view! {
        <div class="client-record">
            <ClientMenu client_id=form.client_id current=RecordPage::Referrals/>
            <section class="panel">
                <h1>"Referral Outcome"</h1>
                <p class="muted">{form.client_name.clone()}</p>
                {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
                <dl class="facts">
                    <dt>"Referral Date"</dt><dd>{format_date(form.facts.referral_date)}</dd>
                    <dt>"Service"</dt><dd>{form.service.clone()}</dd>
                    <dt>"Referred from"</dt><dd>{form.from.clone()}</dd>
                    <dt>"Referred to"</dt><dd>{form.to.clone()}</dd>
                    <dt>"Status"</dt><dd>{form.status.clone()}</dd>
                    {form.referral_comments.clone().map(|c| view! { <dt>"Referral comments"</dt><dd>{c}</dd> })}
                </dl>
                {if form.can_resolve {
                    view! {
                        <ActionForm action=save attr:novalidate=true>
                            <ErrorSummary error=shown labels=OUTCOME_LABELS/>
                            <input type="hidden" name="record[client_id]" value=form.client_id/>
                            <input type="hidden" name="record[referral_id]" value=form.id/>
                            <input type="hidden" name="record[version]" value=form.version/>
                            <fieldset>
                                <legend>"Referral Outcome"</legend>
                                {date_field(OutcomeField::DateReferralAcknowledged, "Date Referral Acknowledged", "The date you first learned of the referral.", initial.date_referral_acknowledged.clone())}
                            </fieldset>
                            <fieldset>
                                <legend>"Outcome Information"</legend>
                                <div class="field-row">
                                    {date_field(OutcomeField::AppointmentDate, "Appointment Date", "When you met with the client to determine eligibility (or the meeting was due).", initial.appointment_date.clone())}
                                    {date_field(OutcomeField::ResultDate, "Result Date", "When the result of the referral was determined.", initial.result_date.clone())}
                                </div>
                                <div class="field">
                                    <label for="result">"Result"</label>
                                    <select id="result" name=OutcomeField::Result.form_name() on:change=move |ev| set(OutcomeField::Result, event_target_value(&ev))
                                        aria-invalid=invalid(OutcomeField::Result) aria-describedby="result-error">
                                        <option value="" selected=initial.result.is_empty()>"Not resolved yet"</option>
                                        {NonCeReferralResult::ALL.iter().map(|r| {
                                            let code = r.code().to_string();
                                            let selected = code == initial.result;
                                            view! { <option value=code selected=selected>{r.label()}</option> }
                                        }).collect_view()}
                                    </select>
                                    <FieldError error=shown field="result"/>
                                </div>
                                <div class="field">
                                    <label for="outcome_comments">"Comments"</label>
                                    <textarea id="outcome_comments" name=OutcomeField::OutcomeComments.form_name() rows="3" maxlength=COMMENTS_MAX.to_string()
                                        on:input=move |ev| set(OutcomeField::OutcomeComments, event_target_value(&ev))
                                        aria-describedby="outcome_comments-error">{initial.outcome_comments.clone()}</textarea>
                                    <FieldError error=shown field="outcome_comments"/>
                                </div>
                            </fieldset>
                            <div class="actions">
                                <button type="submit" class="primary" disabled=move || save.pending().get()>
                                    {move || if save.pending().get() { "Saving…" } else { "Finish" }}
                                </button>
                                <a href=routes::client_referrals(form.client_id)>"Back to Client Referrals"</a>
                            </div>
                        </ActionForm>
                        {services_provided.then(|| view! {
                            <section class="subsection" aria-labelledby="next-step">
                                <h2 id="next-step">"Next step"</h2>
                                <p>"Services were provided. If the client will be enrolled, start the intake for the receiving project."</p>
                                <ActionForm action=start>
                                    <input type="hidden" name="client_id" value=form.client_id/>
                                    <input type="hidden" name="ce_event_id" value=""/>
                                    <input type="hidden" name="project_id" value=form.to_project_id/>
                                    <button type="submit" class="primary" disabled=move || start.pending().get()>"Start intake"</button>
                                </ActionForm>
                            </section>
                        })}
                    }.into_any()
                } else {
                    view! {
                        <dl class="facts">
                            <dt>"Date Referral Acknowledged"</dt><dd>{form.facts.date_acknowledged.map(format_date).unwrap_or_else(|| "Not yet".into())}</dd>
                            <dt>"Result"</dt><dd>{form.facts.result.and_then(NonCeReferralResult::from_code).map(|r| r.label()).unwrap_or("Not resolved yet")}</dd>
                            <dt>"Comments"</dt><dd>{if form.comments_visible { form.draft.outcome_comments.clone() } else { "Only the receiving organization sees the outcome comments.".into() }}</dd>
                        </dl>
                        <p class="notice-inline" role="note">"Only the receiving project's organization records the outcome of this referral."</p>
                    }.into_any()
                }}
                <ReassignmentSection record=ReferralRef { client_id: form.client_id, referral_id: form.id, version: form.version } state=reassignment reload saved/>
                {form.notes.clone().map(|thread| view! {
                    <Notes thread on=NoteOn::Referral { client_id: form.client_id, referral_id: form.id } reload/>
                })}
            </section>
        </div>
    }
}

#[component]
pub fn NonCeIncomingPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <NonCeIncoming/>
        </Guarded>
    }
}

#[component]
fn NonCeIncoming() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query
            .read()
            .get("filter")
            .unwrap_or_else(|| "awaiting".into())
    };
    let rows = Resource::new(filter, incoming_non_ce);
    let current = move || IncomingFilter::from_param(&filter());
    view! {
        <section class="panel">
            <h1>{move || current().title()}</h1>
            <nav class="tabs" aria-label="Non-CE referral lists">
                {IncomingFilter::ALL.into_iter().map(|tab| view! {
                    <a href=format!("{}?filter={}", routes::NON_CE_REFERRALS, tab.param())
                        aria-current=move || (current() == tab).then_some("page")>{tab.tab()}</a>
                }).collect_view()}
            </nav>
            <Loaded resource=rows loading="Loading…" view=|rows| view! { <IncomingTable rows/> }/>
        </section>
    }
}

#[component]
fn IncomingTable(rows: Vec<ReferralRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"None."</p> }.into_any();
    }
    view! {
        <table class="data">
            <thead><tr><th scope="col">"Client"</th><th scope="col">"Referral Date"</th><th scope="col">"Service"</th>
                <th scope="col">"Referred from"</th><th scope="col">"Referred to"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{rows.into_iter().map(|r| view! {
                <tr>
                    <td><a href=routes::referral(r.client_id, r.id)>{r.client_name.clone()}</a></td>
                    <td>{format_date(r.referral_date)}</td><td>{r.service.clone()}</td>
                    <td>{r.from_project.clone()}<br/><span class="muted">{r.from_organization.clone()}</span></td>
                    <td>{r.to_project.clone()}</td><td>{r.status.clone()}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

//! CE Events (HUD 4.20): the Priority List, "Refer to housing opening", the client's
//! Coordinated Entry Event page and the CE Event form.

pub mod api;
mod editor;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

pub use editor::CeEventFormPage;

use crate::domain::dates::format_date;
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::features::transfers::{
    transfer_summary_resource, TransferAnswered, TransferSummaryResource,
};
use crate::routes;
use crate::ui::{form_error, param_id, today, ErrorSummary, FieldError, FieldLabels, Loaded};
use api::{
    list_ce_events, priority_list, referral_field, referral_form, CeEventList, PriorityListPage,
    ReferToHousing, ReferralOptions,
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
            <Loaded resource=list loading="Loading the Priority List…" view=move |page| view! {
                <PriorityTable page link=move |n: i64| routes::priority_list(&param("q"), &param("pending"), &param("sort"), n)/>
            }/>
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
                        <td><a href=routes::client_ce_events(row.client_id)>{row.name.clone()}</a></td>
                        <td>{opt_date(row.dob)}</td>
                        <td>{format_date(row.ce_entry_date)}</td>
                        <td>{row.days_on_list}</td>
                        <td>{row.pending_referrals}
                            {(row.returns > 0).then(|| view! {
                                <span class="badge">{if row.return_pending {
                                    format!("Returned {}×, awaiting review", row.returns)
                                } else {
                                    format!("Returned {}×", row.returns)
                                }}</span>
                            })}
                        </td>
                        <td>{opt_date(row.last_referral)}</td>
                        <td>{can_refer.then(|| view! {
                            <a class="button small" href=routes::refer(row.client_id)
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
    ("refer_anyway", "Refer although another referral is open"),
    ("transfer", "Transfer request"),
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
    // Made here, outside the form's Suspense, so that it reaches the browser.
    let transfer = transfer_summary_resource(client_id);
    view! { <Loaded resource=options loading="Loading…" view=move |options| view! { <ReferForm options transfer/> }/> }
}

#[component]
fn ReferForm(options: ReferralOptions, transfer: TransferSummaryResource) -> impl IntoView {
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
                    <TransferAnswered summary=transfer/>
                    <FieldError error field="transfer"/>
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
                    {options.open_referral.clone().map(|project| view! {
                        <div class="field">
                            <p class="notice-inline" id="refer_anyway-hint">
                                {format!("This client already has an open referral to {project}. A client holds one open referral at a time.")}
                            </p>
                            <div class="check">
                                <input type="checkbox" id="refer_anyway" name=referral_field("refer_anyway") value="yes"
                                    aria-describedby="refer_anyway-hint refer_anyway-error"/>
                                <label for="refer_anyway">"Refer although another referral is open"</label>
                            </div>
                            <FieldError error field="refer_anyway"/>
                        </div>
                    })}
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || action.pending().get() aria-busy=move || action.pending().get().to_string()>
                            {move || if action.pending().get() { "Referring…" } else { "Refer" }}
                        </button>
                        <a href=routes::client_ce_events(client_id)>"Cancel"</a>
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
    // The resource answers "Not found" without a client id, so a list always has one.
    let client_id = move || client_id().unwrap_or_default();
    view! {
        <Loaded resource=list loading="Loading CE Events…"
            view=move |list| view! { <CeEventTable list client_id=client_id() referred/> }/>
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
                    <p><a class="button" href=routes::refer(client_id)>"Refer to housing opening"</a></p>
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
                                                <a class="edit-icon" href=routes::ce_event(client_id, row.id) aria-label=label.clone() title=label>"✎"</a>
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

// ---- The CE Event form: see editor.rs -----------------------------------------------------

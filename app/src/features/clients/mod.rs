//! The Clients workspace: search the clients the active organization may see, and open a
//! client's record (profile and contact information).

pub mod api;

use crate::domain::dates::format_date;
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::features::intake::api::StartIntake;
use crate::ui::{form_error, ErrorPanel, ErrorSummary, FieldError};
use api::{get_client, search_clients, ClientPage, ClientRecord};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ClientsPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <ClientSearch/>
        </Guarded>
    }
}

#[component]
fn ClientSearch() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let results = Resource::new(
        move || {
            (
                param("q"),
                param("dob"),
                param("page").parse::<i64>().unwrap_or(1),
                query.read().get("q").is_some(),
            )
        },
        |(q, dob, page, searched)| async move {
            if searched {
                search_clients(q, dob, page).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let error = Signal::derive(move || results.get().and_then(Result::err));

    view! {
        <section class="panel">
            <h1>"Clients"</h1>
            <Form method="GET" action="/clients" attr:role="search" attr:class="search-form">
                <div class="field">
                    <label for="q">"Name or Personal ID"</label>
                    <input id="q" name="q" type="search" value=param("q") prop:value=move || param("q") aria-describedby="query-error"/>
                    <FieldError error field="query"/>
                </div>
                <div class="field">
                    <label for="dob">"Date of birth"</label>
                    <input id="dob" name="dob" type="date" value=param("dob") prop:value=move || param("dob") aria-describedby="dob-error"/>
                    <FieldError error field="dob"/>
                </div>
                <button type="submit" class="primary">"Search"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => view! { <p class="muted">"Search by name (first, last or both), date of birth, or Personal ID."</p> }.into_any(),
                        Ok(Some(page)) => view! { <ResultsTable page q=param("q") dob=param("dob")/> }.into_any(),
                        Err(AppError::Invalid(fields)) => view! { <ErrorSummary error=Signal::derive(move || Some(AppError::Invalid(fields.clone())))/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ResultsTable(page: ClientPage, q: String, dob: String) -> impl IntoView {
    let link = move |to: i64| format!("/clients?q={}&dob={}&page={to}", encode(&q), encode(&dob));
    if page.rows.is_empty() {
        return view! { <p role="status">"No clients found that your organization may see."</p> }
            .into_any();
    }
    view! {
        <table class="data">
            <caption class="sr-only">"Search results"</caption>
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Date of birth"</th><th scope="col">"Personal ID"</th></tr></thead>
            <tbody>
                {page.rows.into_iter().map(|row| view! {
                    <tr>
                        <td><a href=format!("/clients/{}", row.id)>{row.name}</a></td>
                        <td>{row.dob.map(format_date).unwrap_or_default()}</td>
                        <td>{row.id}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Result pages">
            {(page.page > 1).then(|| view! { <a href=link(page.page - 1) rel="prev">"Previous"</a> })}
            <span>"Page " {page.page}</span>
            {page.has_next.then(|| view! { <a href=link(page.page + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn ClientRecordPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <ClientRecordView/>
        </Guarded>
    }
}

#[component]
fn ClientRecordView() -> impl IntoView {
    let params = use_params_map();
    let record = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_client(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading client…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(client) => view! { <ClientProfile client/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ClientProfile(client: ClientRecord) -> impl IntoView {
    let or_none = |value: Option<String>| value.unwrap_or_else(|| "Not recorded".to_string());
    view! {
        <div class="client-record">
            <ClientMenu client_id=client.id current=RecordPage::Profile/>
            <section class="panel">
                <h1>{client.name.clone()}</h1>
                <p class="muted">"Personal ID " {client.id}</p>
                <h2>"Profile"</h2>
                <dl class="facts">
                    <dt>"Name data quality"</dt><dd>{client.name_data_quality}</dd>
                    <dt>"Date of birth"</dt>
                    <dd>{client.dob.map(|d| format!("{} (age {})", format_date(d), client.age.unwrap_or_default())).unwrap_or_else(|| "Not recorded".into())}</dd>
                    <dt>"DOB data quality"</dt><dd>{client.dob_data_quality}</dd>
                    <dt>"SSN"</dt><dd>{or_none(client.ssn_masked)}</dd>
                    <dt>"SSN data quality"</dt><dd>{client.ssn_data_quality}</dd>
                    <dt>"Sex"</dt><dd>{or_none(client.sex)}</dd>
                    <dt>"Race and ethnicity"</dt><dd>{if client.race_ethnicity.is_empty() { "Not recorded".to_string() } else { client.race_ethnicity.join("; ") }}</dd>
                    <dt>"Veteran status"</dt><dd>{client.veteran_status}</dd>
                </dl>
                <h2 id="contact-information">"Contact Information"</h2>
                <dl class="facts" aria-labelledby="contact-information">
                    <dt>"Phone"</dt>
                    <dd>{match client.phone {
                        Some(phone) => {
                            let tel = format!("tel:{}", phone.chars().filter(char::is_ascii_digit).collect::<String>());
                            view! { <a href=tel>{phone}</a> }.into_any()
                        }
                        None => "Not recorded".into_any(),
                    }}</dd>
                    <dt>"Email"</dt>
                    <dd>{match client.email {
                        Some(email) => view! { <a href=format!("mailto:{email}")>{email.clone()}</a> }.into_any(),
                        None => "Not recorded".into_any(),
                    }}</dd>
                    <dt>"Address"</dt>
                    <dd>{if client.address.is_empty() { "Not recorded".into_any() } else {
                        client.address.into_iter().map(|line| view! { <span class="line">{line}</span> }).collect_view().into_any()
                    }}</dd>
                    <dt>"Last updated"</dt>
                    <dd>{match (client.contact_updated_at, client.contact_updated_by) {
                        (Some(at), Some(by)) => format!("{at} by {by}"),
                        (Some(at), None) => at,
                        _ => "Never".to_string(),
                    }}</dd>
                </dl>
            </section>
        </div>
    }
}

/// The pages of a client record, for the menu's current-page marker.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RecordPage {
    Profile,
    CeEvent,
    Enrollments,
    Referrals,
    Intake,
}

/// The client record's menu: Client Profile, the Enrollment and Services folder, and the
/// *Intake* action (a form, so it works without JavaScript too).
#[component]
pub fn ClientMenu(client_id: i64, current: RecordPage) -> impl IntoView {
    let current_if = move |page: RecordPage| (current == page).then_some("page");
    let start = ServerAction::<StartIntake>::new();
    let start_error = form_error(start);
    view! {
        <nav class="record-menu" aria-label="Client record">
            <p class="menu-title">"Client"</p>
            <ul>
                <li><a href=format!("/clients/{client_id}") aria-current=current_if(RecordPage::Profile)>"Client Profile"</a></li>
            </ul>
            <details class="menu-folder" open>
                <summary>"Enrollment and Services"</summary>
                <ul>
                    <li><a href=crate::routes::client_enrollments(client_id) aria-current=current_if(RecordPage::Enrollments)>"Enrollments"</a></li>
                    <li><a href=format!("/clients/{client_id}/ce-events") aria-current=current_if(RecordPage::CeEvent)>"CE Event"</a></li>
                    <li><a href=format!("/clients/{client_id}/referrals") aria-current=current_if(RecordPage::Referrals)>"Referrals"</a></li>
                </ul>
            </details>
            <ActionForm action=start attr:class="menu-action">
                <input type="hidden" name="client_id" value=client_id/>
                <input type="hidden" name="ce_event_id" value=""/>
                <button type="submit" class="secondary" aria-current=current_if(RecordPage::Intake)
                    disabled=move || start.pending().get()>
                    {move || if start.pending().get() { "Starting…" } else { "Intake" }}
                </button>
            </ActionForm>
            {move || start_error.get().map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })}
        </nav>
    }
}

//! Client record → Enrollment and Services → Enrollments: the client's enrollments, and one
//! enrollment with its household, its answers, the Housing Move-in Date and the project exit.

pub mod api;
#[cfg(feature = "ssr")]
mod store;

use crate::domain::codes::{
    LengthOfStay, LivingSituation, MonthsHomeless, NoYesDataNotCollected, NoYesMissing,
    ProjectType, RentalSubsidyType, TimesHomeless,
};
use crate::domain::dates::format_date;
use crate::domain::enrollment::{
    destination_questions, move_in_unavailable, validate_exit, validate_move_in, ExitDraft,
};
use crate::domain::intake::{prior_living_questions, validate_enrollment_answers};
use crate::error::{AppError, FieldErrors};
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::features::transfers::{
    api::EnrollmentRef, transfer_resource, TransferResource, TransferSection,
};
use crate::routes;
use crate::ui::{
    form_error, interactive, param_id, today, ErrorPanel, ErrorSummary, FieldError, FieldLabels,
};
use api::{
    get_enrollment, list_enrollments, EnrollmentRow, EnrollmentView, ExitEnrollment, RecordMoveIn,
    UpdateEnrollmentAnswers,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EnrollmentsPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <EnrollmentList/>
        </Guarded>
    }
}

#[component]
fn EnrollmentList() -> impl IntoView {
    let client = param_id("id");
    let list = Resource::new(client, |id| async move {
        match id {
            Some(id) => list_enrollments(id).await.map(|l| (id, l)),
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading enrollments…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok((client_id, list)) => view! {
                        <div class="client-record">
                            <ClientMenu client_id current=RecordPage::Enrollments/>
                            <section class="panel">
                                <h1>"Enrollments"</h1>
                                <p class="muted">{list.client_name.clone()}</p>
                                {if list.rows.is_empty() {
                                    view! { <p>"No enrollments your organization may see. Use Intake to enroll the client."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="data">
                                            <caption class="sr-only">"Enrollments"</caption>
                                            <thead><tr>
                                                <th scope="col">"Project"</th><th scope="col">"Organization"</th>
                                                <th scope="col">"Relationship to HoH"</th><th scope="col">"Project Start Date"</th>
                                                <th scope="col">"Housing Move-in Date"</th><th scope="col">"Project Exit Date"</th>
                                                <th scope="col"><span class="sr-only">"Actions"</span></th>
                                            </tr></thead>
                                            <tbody>
                                                {list.rows.into_iter().map(|r| {
                                                    let address = routes::enrollment(client_id, r.id);
                                                    view! {
                                                        <tr>
                                                            <td><a href=address.clone()>{r.project.clone()}</a><br/><span class="muted">{r.project_type.clone()}</span></td>
                                                            <td>{r.organization.clone()}</td>
                                                            <td>{r.relationship.clone()}</td>
                                                            <td>{format_date(r.entry_date)}</td>
                                                            <td>{r.move_in_date.map(format_date).unwrap_or_default()}</td>
                                                            <td>{r.exit_date.map(format_date).unwrap_or_else(|| "Open".into())}</td>
                                                            <td><EnrollmentActions row=r address/></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The row's action button (article 004: "Locate the CE enrollment. Click the action button.
/// Select Exit the Enrollment."): a `<details>` menu, so it opens without JavaScript too.
#[component]
fn EnrollmentActions(row: EnrollmentRow, address: String) -> impl IntoView {
    let exit = row.exit_date.is_none().then(|| {
        let label = if row.is_coordinated_entry {
            "Exit the Enrollment"
        } else {
            "Exit the project"
        };
        view! { <li><a href=format!("{address}#exit")>{label}</a></li> }
    });
    view! {
        <details class="row-actions">
            <summary aria-label=format!("Actions for {}", row.project)>
                <span aria-hidden="true">"⋯"</span>
            </summary>
            <ul role="list">
                <li><a href=address.clone()>"Open the enrollment"</a></li>
                {exit}
            </ul>
        </details>
    }
}

#[component]
pub fn EnrollmentPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <EnrollmentDetail/>
        </Guarded>
    }
}

#[component]
fn EnrollmentDetail() -> impl IntoView {
    let client = param_id("id");
    let enrollment = param_id("enrollment_id");
    let reload = RwSignal::new(0u32);
    let view_resource = Resource::new(
        move || (client(), enrollment(), reload.get()),
        |(client, enrollment, _)| async move {
            match (client, enrollment) {
                (Some(c), Some(e)) => get_enrollment(c, e).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    // Made here, outside the page's Suspense: a resource made inside it is not carried to the
    // browser, and the page would not hydrate.
    let transfers = transfer_resource(move || (client(), enrollment()), reload);
    let saved = RwSignal::new(use_query_map().read_untracked().get("saved").is_some());
    // "Saved." belongs to one enrollment: following a household link to another one (the same
    // page with another id) must not carry it over.
    Effect::watch(enrollment, move |_, _, _| saved.set(false), false);
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the enrollment…"</p> }>
            {move || Suspend::new(async move {
                match view_resource.await {
                    Ok(e) => view! { <EnrollmentDetails e transfers reload saved/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The Housing Move-in Date among the enrollment's facts, where it is not already the subject of
/// the form below (HUD 3.20: permanent housing projects only; elsewhere it is not collected).
fn move_in_fact(e: &EnrollmentView) -> Option<String> {
    match e.move_in.move_in_date {
        Some(date) => Some(format_date(date)),
        None if is_permanent_housing(e) && !e.can_edit => Some("Not recorded".into()),
        None => None,
    }
}

/// Whether the enrollment's project is permanent housing, the only kind that records a Housing
/// Move-in Date (HUD 3.20).
fn is_permanent_housing(e: &EnrollmentView) -> bool {
    e.move_in
        .project_type
        .and_then(ProjectType::from_code)
        .is_some_and(ProjectType::is_permanent_housing)
}

/// The household row that stands for members outside the organization's scope.
fn household_elsewhere(count: i64) -> String {
    match count {
        1 => "1 household member in another organization".to_string(),
        n => format!("{n} household members in another organization"),
    }
}

#[component]
fn EnrollmentDetails(
    e: EnrollmentView,
    transfers: TransferResource,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let client_id = e.client_id;
    let household = e.household.clone();
    let elsewhere = e.household_elsewhere;
    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::Enrollments/>
            <section class="panel">
                <h1>"Enrollment"</h1>
                <p class="muted">{e.client_name.clone()}" · "{e.project.clone()}</p>
                {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
                <dl class="facts">
                    <dt>"Project"</dt><dd>{e.project.clone()}" ("{e.project_type.clone()}")"</dd>
                    <dt>"Project Start Date"</dt><dd>{format_date(e.entry_date)}</dd>
                    <dt>"Relationship to Head of Household"</dt><dd>{e.relationship.clone()}</dd>
                    <dt>"Enrollment CoC"</dt><dd>{e.enrollment_coc.clone().unwrap_or_else(|| "Not collected (not the head of household)".into())}</dd>
                    {move_in_fact(&e).map(|shown| view! { <dt>"Housing Move-in Date"</dt><dd>{shown}</dd> })}
                    <dt>"Project Exit Date"</dt><dd>{e.exit.as_ref().map(|x| format!("{} — {}", format_date(x.exit_date), x.destination)).unwrap_or_else(|| "Still enrolled".into())}</dd>
                    {e.answers.iter().map(|(label, answer)| view! { <dt>{label.clone()}</dt><dd>{answer.clone()}</dd> }).collect_view()}
                </dl>
                <h2 id="household-heading">"Household"</h2>
                <table class="data compact" aria-labelledby="household-heading">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Relationship to HoH"</th><th scope="col">"Project Start Date"</th><th scope="col">"Project Exit Date"</th></tr></thead>
                    <tbody>
                        {household.into_iter().map(|m| view! {
                            <tr>
                                <td><a href=routes::enrollment(m.client_id, m.enrollment_id)>{m.name}</a></td>
                                <td>{m.relationship}</td>
                                <td>{format_date(m.entry_date)}</td>
                                <td>{m.exit_date.map(format_date).unwrap_or_else(|| "Still enrolled".into())}</td>
                            </tr>
                        }).collect_view()}
                        {(elsewhere > 0).then(|| view! {
                            <tr><td colspan="4" class="muted">{household_elsewhere(elsewhere)}</td></tr>
                        })}
                    </tbody>
                </table>
                <AnswersSection e=e.clone() reload saved/>
                <MoveInSection e=e.clone() reload saved/>
                <ExitSection e=e.clone() reload saved/>
                <TransferSection record=EnrollmentRef { client_id, enrollment_id: e.id } state=transfers reload saved/>
            </section>
        </div>
    }
}

const MOVE_IN_LABELS: FieldLabels = &[("move_in_date", "Housing Move-in Date")];

#[component]
fn MoveInSection(e: EnrollmentView, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let record = ServerAction::<RecordMoveIn>::new();
    let server_error = form_error(record);
    let unavailable = move_in_unavailable(&e.move_in);
    let facts = StoredValue::new(e.move_in.clone());
    let value = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let rule =
        Memo::new(move |_| facts.with_value(|f| validate_move_in(&value.get(), f, today()).err()));
    let shown = Signal::derive(move || match server_error.get() {
        Some(error) => Some(error),
        None if touched.get() => rule.get().map(AppError::Invalid),
        None => None,
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = record.value().get() {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
    });
    if !e.can_edit || !is_permanent_housing(&e) || e.move_in.move_in_date.is_some() {
        return ().into_any();
    }
    view! {
        <section class="subsection" aria-labelledby="move-in-heading">
            <h2 id="move-in-heading">"Move-in"</h2>
            {match unavailable {
                Some(reason) => view! { <p class="notice-inline" role="note">{reason}</p> }.into_any(),
                None => view! {
                    <ActionForm action=record attr:class="inline-form" attr:novalidate=true>
                        <ErrorSummary error=shown labels=MOVE_IN_LABELS/>
                        <input type="hidden" name="client_id" value=e.client_id/>
                        <input type="hidden" name="enrollment_id" value=e.id/>
                        <input type="hidden" name="version" value=e.version/>
                        <div class="field">
                            <label for="move_in_date">"Housing Move-in Date"</label>
                            <input id="move_in_date" name="move_in_date" type="date" max=today().to_string()
                                prop:value=move || value.get()
                                on:input=move |ev| value.set(event_target_value(&ev))
                                on:change=move |_| touched.set(true)
                                aria-invalid=move || shown.get().map(|_| "true")
                                aria-describedby="move_in_date-hint move_in_date-error"/>
                            <p class="hint" id="move_in_date-hint">"The day the household got the key and slept in the unit. Recorded once."</p>
                            <FieldError error=shown field="move_in_date"/>
                        </div>
                        <button type="submit" class="primary" disabled=move || record.pending().get()>
                            {move || if record.pending().get() { "Saving…" } else { "Record move-in" }}
                        </button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

const EXIT_LABELS: FieldLabels = &[
    ("exit_date", "Project Exit Date"),
    ("destination", "Destination"),
    ("destination_subsidy_type", "Rental subsidy type"),
    ("other_destination", "Other destination"),
    ("exit_household", "Exit the household together"),
];

#[component]
fn ExitSection(e: EnrollmentView, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let exit = ServerAction::<ExitEnrollment>::new();
    let server_error = form_error(exit);
    let facts = StoredValue::new(e.exit_facts.clone());
    let suggested = e
        .suggested_exit_date
        .map(|d| d.to_string())
        .unwrap_or_default();
    let draft = RwSignal::new(ExitDraft {
        exit_date: suggested.clone(),
        ..Default::default()
    });
    let touched = RwSignal::new(Vec::<&'static str>::new());
    // Dependent questions are hidden only once the page is interactive, so a form posted
    // without JavaScript still shows every field it may need.
    let interactive = interactive();
    let rule = Memo::new(move |_| {
        let d = draft.get();
        facts.with_value(|f| validate_exit(&d, f, today()).err())
    });
    let shown = Signal::derive(move || {
        if let Some(error) = server_error.get() {
            return Some(error);
        }
        let errors = rule.get()?;
        let touched = touched.get();
        let visible = FieldErrors(
            errors
                .0
                .into_iter()
                .filter(|(k, _)| touched.iter().any(|t| t == k))
                .collect(),
        );
        (!visible.is_empty()).then_some(AppError::Invalid(visible))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = exit.value().get() {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
    });
    let touch = move |f: &'static str| {
        touched.update(|t| {
            if !t.contains(&f) {
                t.push(f)
            }
        })
    };
    let questions = move || draft.with(|d| destination_questions(&d.destination));
    let head_with_others = e.exit_facts.is_head && !e.exit_facts.others_open.is_empty();
    let others: Vec<String> = e
        .exit_facts
        .others_open
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let destinations: Vec<(i16, &'static str)> = LivingSituation::ALL
        .iter()
        .filter(|l| l.allowed_as_destination())
        .map(|l| (l.code(), l.label()))
        .collect();
    let is_ce = e.project_type_code == Some(14);
    let heading = if is_ce {
        "CE Enrollment Exit"
    } else {
        "Project exit"
    };
    if let (Some(reason), None) = (e.exit_unavailable.clone(), &e.exit) {
        return view! {
            <section class="subsection" id="exit" aria-labelledby="exit-heading">
                <h2 id="exit-heading">{heading}</h2>
                <p class="notice-inline" role="note">{reason}</p>
            </section>
        }
        .into_any();
    }
    if !e.can_edit || e.exit.is_some() {
        return ().into_any();
    }
    view! {
        <section class="subsection" id="exit" aria-labelledby="exit-heading">
            <h2 id="exit-heading">{heading}</h2>
            {is_ce.then(|| view! { <p class="hint">"Exiting the Coordinated Entry enrollment removes the client from the Priority List and closes any CE referral still open."</p> })}
            <ActionForm action=exit attr:novalidate=true>
                <ErrorSummary error=shown labels=EXIT_LABELS/>
                <input type="hidden" name="client_id" value=e.client_id/>
                <input type="hidden" name="enrollment_id" value=e.id/>
                <input type="hidden" name="version" value=e.version/>
                <div class="field-row">
                    <div class="field">
                        <label for="exit_date">"Project Exit Date"</label>
                        <input id="exit_date" name="exit_date" type="date" max=today().to_string() value=suggested.clone()
                            prop:value=move || draft.with(|d| d.exit_date.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.exit_date = v); }
                            on:change=move |_| touch("exit_date")
                            aria-invalid=move || shown.get().and_then(|e| e.field_errors().and_then(|f| f.get("exit_date")).map(|_| "true"))
                            aria-describedby="exit_date-hint exit_date-error"/>
                        {e.suggested_exit_date.map(|d| view! { <p class="hint" id="exit_date-hint">{format!("Suggested: the Housing Move-in Date, {}.", format_date(d))}</p> })}
                        <FieldError error=shown field="exit_date"/>
                    </div>
                    <div class="field">
                        <label for="destination">"Destination"</label>
                        <select id="destination" name="destination"
                            on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.destination = v); touch("destination"); }
                            aria-invalid=move || shown.get().and_then(|e| e.field_errors().and_then(|f| f.get("destination")).map(|_| "true"))
                            aria-describedby="destination-error">
                            <option value="">"Choose the destination…"</option>
                            {destinations.into_iter().map(|(code, label)| view! { <option value=code.to_string()>{label}</option> }).collect_view()}
                        </select>
                        <FieldError error=shown field="destination"/>
                    </div>
                </div>
                <div class="field" class:hidden=move || interactive.get() && !questions().0>
                    <label for="destination_subsidy_type">"Rental subsidy type"</label>
                    <select id="destination_subsidy_type" name="destination_subsidy_type"
                        on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.destination_subsidy_type = v); touch("destination_subsidy_type"); }
                        aria-describedby="destination_subsidy_type-error">
                        <option value="">"Choose… (only for Rental by client, with ongoing housing subsidy)"</option>
                        {RentalSubsidyType::ALL.iter().map(|s| view! { <option value=s.code().to_string()>{s.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error=shown field="destination_subsidy_type"/>
                </div>
                <div class="field" class:hidden=move || interactive.get() && !questions().1>
                    <label for="other_destination">"Other destination (describe)"</label>
                    <input id="other_destination" name="other_destination" type="text" maxlength="50"
                        prop:value=move || draft.with(|d| d.other_destination.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.other_destination = v); }
                        on:change=move |_| touch("other_destination")
                        aria-describedby="other_destination-error"/>
                    <FieldError error=shown field="other_destination"/>
                </div>
                {head_with_others.then(|| view! {
                    <div class="notice-inline" role="note">
                        <p>{format!("This is the head of household. {} still enrolled: the head of household cannot exit while other members remain enrolled.", others.join(", "))}</p>
                        <div class="check">
                            <input type="checkbox" id="exit_household" name="exit_household" value="true"
                                on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.exit_household = on); touch("exit_household"); }/>
                            <label for="exit_household">"Exit the household together (every member still enrolled, same date and destination)"</label>
                        </div>
                        <FieldError error=shown field="exit_household"/>
                    </div>
                })}
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || exit.pending().get()>
                        {move || if exit.pending().get() { "Saving…" } else if is_ce { "Exit the Enrollment" } else { "Exit" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

const ANSWER_LABELS: FieldLabels = &[
    ("disabling_condition", "Disabling Condition"),
    ("living_situation", "Prior Living Situation"),
    ("rental_subsidy_type", "Rental subsidy type"),
    ("length_of_stay", "Length of stay in prior living situation"),
    (
        "previous_street_essh",
        "Stayed on the streets, ES or SH the night before",
    ),
    (
        "date_to_street_essh",
        "Approximate date homelessness started",
    ),
    ("times_homeless", "Times homeless in the past three years"),
    ("months_homeless", "Months homeless in the past three years"),
];

/// Edit the answers collected at project start, with the intake's rules.
#[component]
fn AnswersSection(
    e: EnrollmentView,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let update = ServerAction::<UpdateEnrollmentAnswers>::new();
    let server_error = form_error(update);
    let draft = RwSignal::new(e.answers_draft.clone());
    let initial = e.answers_draft.clone();
    let project_type = e.project_type_code.and_then(ProjectType::from_code);
    let entry = e.entry_date;
    let asks = e.asks_prior_living;
    let interactive = interactive();
    let rule = Memo::new(move |_| {
        draft.with(|d| validate_enrollment_answers(d, project_type, entry, asks, today()).err())
    });
    let shown = Signal::derive(move || {
        server_error
            .get()
            .or_else(|| rule.get().map(AppError::Invalid))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
    });
    let questions = move || {
        draft.with(|d| {
            let code = |s: &str| s.parse::<i16>().ok();
            prior_living_questions(
                project_type,
                code(&d.living_situation).and_then(LivingSituation::from_code),
                code(&d.length_of_stay).and_then(LengthOfStay::from_code),
                code(&d.previous_street_essh).and_then(NoYesDataNotCollected::from_code),
            )
        })
    };
    if !e.can_edit {
        return ().into_any();
    }
    let select = move |field: &'static str,
                       label: &'static str,
                       options: Vec<(i16, &'static str)>,
                       applies: Box<dyn Fn() -> bool + Send + Sync>| {
        let value = move || draft.with(|d| d.field(field));
        let first = initial.field(field);
        view! {
            <div class="field" class:hidden=move || interactive.get() && !applies()>
                <label for=field>{label}</label>
                <select id=field name=field
                    on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.set_field(field, v)); }
                    aria-describedby=format!("{field}-error")>
                    <option value="" selected=first.is_empty()>"Choose…"</option>
                    {options.into_iter().map(|(code, text)| {
                        let code = code.to_string();
                        let is = code.clone();
                        let initially = code == first;
                        view! { <option value=code selected=initially prop:selected=move || value() == is>{text}</option> }
                    }).collect_view()}
                </select>
                <FieldError error=shown field=field/>
            </div>
        }
    };
    let prior: Vec<(i16, &'static str)> = LivingSituation::ALL
        .iter()
        .filter(|l| l.allowed_as_prior())
        .map(|l| (l.code(), l.label()))
        .collect();
    let date_initial = e.answers_draft.date_to_street_essh.clone();
    view! {
        <details class="subsection">
            <summary><h2 class="inline-heading">"Edit answers at project start"</h2></summary>
            <ActionForm action=update attr:novalidate=true>
                <ErrorSummary error=server_error labels=ANSWER_LABELS/>
                <input type="hidden" name="client_id" value=e.client_id/>
                <input type="hidden" name="enrollment_id" value=e.id/>
                <input type="hidden" name="version" value=e.version/>
                {select("disabling_condition", "Disabling Condition", NoYesMissing::options(), Box::new(|| true))}
                {asks.then(|| view! {
                    {select("living_situation", "Prior Living Situation", prior.clone(), Box::new(|| true))}
                    {select("rental_subsidy_type", "Rental subsidy type", RentalSubsidyType::options(), Box::new(move || questions().rental_subsidy_type))}
                    {select("length_of_stay", "Length of stay in prior living situation", LengthOfStay::options(), Box::new(move || questions().length_of_stay))}
                    {select("previous_street_essh", "On the night before, did they stay on the streets, in ES or SH?", NoYesDataNotCollected::options(), Box::new(move || questions().previous_street_essh))}
                    <div class="field" class:hidden=move || interactive.get() && !questions().homeless_history>
                        <label for="date_to_street_essh">"Approximate date this episode of homelessness started"</label>
                        <input id="date_to_street_essh" name="date_to_street_essh" type="date" value=date_initial.clone()
                            prop:value=move || draft.with(|d| d.date_to_street_essh.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.date_to_street_essh = v); }
                            aria-describedby="date_to_street_essh-error"/>
                        <FieldError error=shown field="date_to_street_essh"/>
                    </div>
                    {select("times_homeless", "Times homeless in the past three years", TimesHomeless::options(), Box::new(move || questions().homeless_history))}
                    {select("months_homeless", "Months homeless in the past three years", MonthsHomeless::options(), Box::new(move || questions().homeless_history))}
                })}
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || update.pending().get()>
                        {move || if update.pending().get() { "Saving…" } else { "Save answers" }}
                    </button>
                    <span class="hint">{move || rule.get().map(|_| "Some answers need attention (see the fields above).")}</span>
                </div>
            </ActionForm>
        </details>
    }
    .into_any()
}

//! The guided intake: Project and start → Household → Universal data elements → Review and
//! submit. Every step runs the shared rules in `domain::intake` as the user types; the draft is
//! saved on the server as the user goes, so a closed tab resumes where it stopped.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::codes::{
    DobDataQuality, LengthOfStay, LivingSituation, MonthsHomeless, NameDataQuality,
    NoYesDataNotCollected, NoYesMissing, ProjectType, RaceCategory, RaceNone, RelationshipToHoH,
    RentalSubsidyType, Sex, SsnDataQuality, TimesHomeless,
};
use crate::domain::dates::format_date;
use crate::domain::intake::{
    add_member, errors_of_step, intake_warnings, member_field, prior_living_questions,
    validate_intake, IntakeDraft, IntakeProject, IntakeStep, MemberDraft,
};
use crate::error::{AppError, FieldErrors};
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::ui::{today, ErrorPanel};
use api::{
    get_intake, household_candidates, save_intake, submit_intake, HouseholdCandidate, IntakeForm,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::HashSet;

#[component]
pub fn IntakePage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <IntakeLoader/>
        </Guarded>
    }
}

#[component]
fn IntakeLoader() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        (
            p.get("id").and_then(|v| v.parse::<i64>().ok()),
            p.get("draft_id").and_then(|v| v.parse::<i64>().ok()),
        )
    };
    let form = Resource::new(ids, |ids| async move {
        match ids {
            (Some(client), Some(draft)) => get_intake(client, draft).await,
            _ => Err(AppError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the intake…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <IntakeWizard form/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where the autosave stands, for the status line.
#[derive(Clone, Debug, PartialEq)]
enum SaveState {
    Saved,
    Pending,
    Saving,
    Conflict,
    Failed(String),
}

/// Everything the step components share.
#[derive(Clone, Copy)]
struct Wizard {
    draft: RwSignal<IntakeDraft>,
    projects: StoredValue<Vec<IntakeProject>>,
    event_date: Option<chrono::NaiveDate>,
    /// Errors to show now: the current step's, for touched fields or after Next was tried.
    shown: Signal<FieldErrors>,
    touched: RwSignal<HashSet<String>>,
}

impl Wizard {
    fn touch(&self, field: String) {
        self.touched.update(|t| {
            t.insert(field);
        });
    }

    fn error(&self, field: &str) -> Option<String> {
        self.shown.with(|e| e.get(field).map(str::to_string))
    }

    fn project(&self) -> Option<IntakeProject> {
        let id = self.draft.with(|d| d.project_id.parse::<i64>().ok())?;
        self.projects
            .with_value(|p| p.iter().find(|p| p.id == id).cloned())
    }

    fn index_of(&self, key: u32) -> usize {
        self.draft
            .with(|d| d.members.iter().position(|m| m.key == key))
            .unwrap_or(0)
    }

    fn member<T>(&self, key: u32, f: impl FnOnce(&MemberDraft) -> T) -> Option<T> {
        self.draft
            .with(|d| d.members.iter().find(|m| m.key == key).map(f))
    }

    fn update_member(&self, key: u32, f: impl FnOnce(&mut MemberDraft)) {
        self.draft.update(|d| {
            if let Some(m) = d.members.iter_mut().find(|m| m.key == key) {
                f(m);
            }
        });
    }
}

/// Field labels people see, for the error summary and the review.
fn field_label(field: &str) -> &'static str {
    match field {
        "project_id" => "Project",
        "entry_date" => "Project Start Date",
        "enrollment_coc" => "Enrollment CoC",
        "household" => "Household",
        "relationship" => "Relationship to Head of Household",
        "enrolled" => "Open enrollment",
        "first_name" => "First name",
        "last_name" => "Last name",
        "name_data_quality" => "Name data quality",
        "dob" => "Date of birth",
        "dob_data_quality" => "DOB data quality",
        "ssn" => "SSN",
        "ssn_data_quality" => "SSN data quality",
        "disabling_condition" => "Disabling Condition",
        "veteran_status" => "Veteran Status",
        "sex" => "Sex",
        "race" => "Race and Ethnicity",
        "race_none" => "Race and Ethnicity",
        "living_situation" => "Prior Living Situation",
        "rental_subsidy_type" => "Rental subsidy type",
        "length_of_stay" => "Length of stay in prior living situation",
        "previous_street_essh" => "Stayed on the streets, ES or SH the night before",
        "date_to_street_essh" => "Approximate date homelessness started",
        "times_homeless" => "Times homeless in the past three years",
        "months_homeless" => "Months homeless in the past three years",
        _ => "Answer",
    }
}

#[component]
fn IntakeWizard(form: IntakeForm) -> impl IntoView {
    let client_id = form.client_id;
    let draft_id = form.draft_id;
    let draft = RwSignal::new(form.draft.clone());
    let version = RwSignal::new(form.version);
    let projects = StoredValue::new(form.projects.clone());
    let touched = RwSignal::new(HashSet::<String>::new());
    let attempted = RwSignal::new(HashSet::<usize>::new());
    let server_errors = RwSignal::new(None::<AppError>);

    let validation = Memo::new(move |_| {
        draft.with(|d| {
            projects.with_value(|p| validate_intake(d, p, today()).err().unwrap_or_default())
        })
    });
    let step = Memo::new(move |_| draft.with(|d| d.step));
    let shown = Signal::derive(move || {
        let step = step.get();
        let all = errors_of_step(&validation.get(), step);
        let show_all = step == IntakeStep::Review || attempted.with(|a| a.contains(&step.index()));
        let mut errors = if show_all {
            all
        } else {
            touched
                .with(|t| FieldErrors(all.0.into_iter().filter(|(k, _)| t.contains(k)).collect()))
        };
        if let Some(AppError::Invalid(server)) = server_errors.get() {
            for (k, v) in server.0 {
                errors.add(&k, v);
            }
        }
        errors
    });
    let wizard = Wizard {
        draft,
        projects,
        event_date: form.ce_event_date,
        shown,
        touched,
    };

    // Autosave: a change is saved 600 ms after the typing stops; saves never overlap, and a
    // change made during a save is saved right after it.
    let save_state = RwSignal::new(SaveState::Saved);
    let generation = StoredValue::new(0u64);
    let in_flight = StoredValue::new(false);
    let dirty = StoredValue::new(false);
    let run_save = move || {
        if in_flight.get_value() {
            return;
        }
        in_flight.set_value(true);
        spawn_local(async move {
            while dirty.get_value() {
                dirty.set_value(false);
                save_state.set(SaveState::Saving);
                let data = serde_json::to_string(&draft.get_untracked()).unwrap_or_default();
                match save_intake(client_id, draft_id, version.get_untracked(), data).await {
                    Ok(v) => {
                        version.set(v);
                        save_state.set(SaveState::Saved);
                    }
                    Err(AppError::Conflict) => {
                        save_state.set(SaveState::Conflict);
                        break;
                    }
                    Err(e) => {
                        save_state.set(SaveState::Failed(e.to_string()));
                        dirty.set_value(true);
                        break;
                    }
                }
            }
            in_flight.set_value(false);
        });
    };
    Effect::watch(
        move || draft.get(),
        move |_, _, _| {
            if save_state.get_untracked() == SaveState::Conflict {
                return;
            }
            dirty.set_value(true);
            save_state.set(SaveState::Pending);
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            set_timeout(
                move || {
                    if generation.get_value() == mine {
                        run_save();
                    }
                },
                std::time::Duration::from_millis(600),
            );
        },
        false,
    );

    let go_to = move |target: IntakeStep| {
        server_errors.set(None);
        draft.update(|d| d.step = target);
        focus_heading();
    };
    let next = move |_| {
        let current = step.get_untracked();
        attempted.update(|a| {
            a.insert(current.index());
        });
        if errors_of_step(&validation.get_untracked(), current).is_empty() {
            go_to(current.next());
        } else {
            focus_summary();
        }
    };

    let submitting = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |_| {
        if submitting.get_untracked() || !validation.with_untracked(|v| v.is_empty()) {
            return;
        }
        submitting.set(true);
        server_errors.set(None);
        generation.update_value(|g| *g += 1);
        let navigate = navigate.clone();
        spawn_local(async move {
            // The submit reads the saved draft: save the last answers first.
            let data = serde_json::to_string(&draft.get_untracked()).unwrap_or_default();
            let saved = if in_flight.get_value() {
                Err(AppError::Conflict)
            } else {
                save_intake(client_id, draft_id, version.get_untracked(), data).await
            };
            let result = match saved {
                Ok(v) => {
                    version.set(v);
                    dirty.set_value(false);
                    save_state.set(SaveState::Saved);
                    submit_intake(client_id, draft_id, v).await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(done) => navigate(&done.next_url, Default::default()),
                Err(error) => {
                    if error == AppError::Conflict {
                        save_state.set(SaveState::Conflict);
                    }
                    server_errors.set(Some(error));
                    submitting.set(false);
                    focus_summary();
                }
            }
        });
    };

    let discard = ServerAction::<api::DiscardIntake>::new();
    let from_event = form.ce_event_id;
    let client_name = form.client_name.clone();

    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::Intake/>
            <section class="panel intake" aria-labelledby="intake-heading">
                <h1 id="intake-heading" tabindex="-1">"Intake"</h1>
                <p class="muted">
                    {client_name}
                    {from_event.map(|id| view! { " · from " <a href=format!("/clients/{client_id}/ce-events/{id}")>"the CE Event"</a> })}
                </p>
                <noscript><p class="notice-inline">"The guided intake needs JavaScript. Turn it on to continue; your answers so far are saved."</p></noscript>
                <ol class="steps" aria-label="Intake steps">
                    {IntakeStep::ALL.into_iter().map(|s| {
                        let current = move || (step.get() == s).then_some("step");
                        let reachable = move || s.index() <= step.get().index();
                        view! {
                            <li class:done=move || s.index() < step.get().index()>
                                <button type="button" class="step-link" aria-current=current disabled=move || !reachable() on:click=move |_| go_to(s)>
                                    <span class="step-number">{s.index() + 1}</span>" "{s.label()}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <p class="save-state" role="status" aria-live="polite">
                    {move || match save_state.get() {
                        // Submitting saves every answer with it: nothing is left unsaved.
                        _ if submitting.get() => "Submitting the intake…".to_string(),
                        SaveState::Saved => "All answers saved.".to_string(),
                        SaveState::Pending => "Unsaved changes…".to_string(),
                        SaveState::Saving => "Saving…".to_string(),
                        SaveState::Conflict => "This intake was changed in another tab or window. Reload the page to continue with the latest answers.".to_string(),
                        SaveState::Failed(message) => format!("Not saved yet: {message} Your answers are kept on this page and saved again with your next change."),
                    }}
                </p>
                <IntakeErrorSummary wizard server_errors/>
                {move || match step.get() {
                    IntakeStep::ProjectAndStart => view! { <ProjectStep wizard/> }.into_any(),
                    IntakeStep::Household => view! { <HouseholdStep wizard client_id draft_id/> }.into_any(),
                    IntakeStep::UniversalData => view! { <UdeStep wizard/> }.into_any(),
                    IntakeStep::Review => view! { <ReviewStep wizard validation go_to/> }.into_any(),
                }}
                <div class="actions wizard-actions">
                    <Show when=move || step.get() != IntakeStep::ProjectAndStart>
                        <button type="button" class="secondary" disabled=move || submitting.get()
                            on:click=move |_| go_to(step.get_untracked().previous())>"Back"</button>
                    </Show>
                    <Show when=move || step.get() != IntakeStep::Review
                        fallback=move || { let submit = submit.clone(); view! {
                            <button type="button" class="primary" on:click=submit
                                disabled=move || submitting.get() || !validation.with(|v| v.is_empty())
                                aria-describedby="submit-hint">
                                {move || if submitting.get() { "Submitting…" } else { "Submit intake" }}
                            </button>
                            <p class="hint" id="submit-hint">{move || if validation.with(|v| v.is_empty()) {
                                "Submitting enrolls every member together.".to_string()
                            } else {
                                "Fix the answers listed above to submit.".to_string()
                            }}</p>
                        }}>
                        <button type="button" class="primary" on:click=next>"Next"</button>
                    </Show>
                    <ActionForm action=discard attr:class="discard-form">
                        <input type="hidden" name="client_id" value=client_id/>
                        <input type="hidden" name="draft_id" value=draft_id/>
                        <input type="hidden" name="version" value=move || version.get() prop:value=move || version.get().to_string()/>
                        <button type="submit" class="secondary" disabled=move || discard.pending().get() || submitting.get()>"Discard intake"</button>
                    </ActionForm>
                </div>
            </section>
        </div>
    }
}

fn focus_heading() {
    focus_element("intake-heading");
}

fn focus_summary() {
    focus_element("intake-errors");
}

/// Moves keyboard and screen-reader focus (browser only).
fn focus_element(id: &'static str) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The step's errors with a link to each field (members named), and any server error.
#[component]
fn IntakeErrorSummary(wizard: Wizard, server_errors: RwSignal<Option<AppError>>) -> impl IntoView {
    let items = move || {
        let draft = wizard.draft.get();
        wizard
            .shown
            .get()
            .0
            .into_iter()
            .map(|(field, message)| {
                let (who, name) = match field.split_once('.') {
                    Some((m, f)) => {
                        let index: usize = m.trim_start_matches('m').parse().unwrap_or(0);
                        let who = draft
                            .members
                            .get(index)
                            .map(|m| format!("{} — ", m.display_name()))
                            .unwrap_or_default();
                        (who, f.to_string())
                    }
                    None => (String::new(), field.clone()),
                };
                view! { <li><a href=format!("#{field}")>{format!("{who}{}: {message}", field_label(&name))}</a></li> }
            })
            .collect_view()
    };
    let other = move || match server_errors.get() {
        Some(AppError::Invalid(_)) | None => None,
        Some(error) => Some(error.to_string()),
    };
    view! {
        <div id="intake-errors" tabindex="-1">
            <Show when=move || !wizard.shown.with(|e| e.is_empty()) || other().is_some()>
                <div class="error-summary" role="alert">
                    <p class="error-summary-title">{move || other().unwrap_or_else(|| "Check the answers below.".to_string())}</p>
                    <ul>{items}</ul>
                </div>
            </Show>
        </div>
    }
}

/// A `<select>` bound to one member field.
#[component]
fn MemberSelect(
    wizard: Wizard,
    key: u32,
    field: &'static str,
    label: &'static str,
    options: Vec<(i16, &'static str)>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let id = move || member_field(wizard.index_of(key), field);
    let value = move || wizard.member(key, |m| m.field(field)).unwrap_or_default();
    let error = move || wizard.error(&id());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    wizard.update_member(key, |m| m.set_field(field, v));
                    wizard.touch(id());
                }
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=move || format!("{}-error", id())>
                <option value="" selected=move || value().is_empty()>{placeholder.unwrap_or("Choose…")}</option>
                {options.into_iter().map(|(code, text)| {
                    let code = code.to_string();
                    let is = code.clone();
                    view! { <option value=code selected=move || value() == is>{text}</option> }
                }).collect_view()}
            </select>
            {move || error().map(|m| view! { <p class="field-error" id=format!("{}-error", id())>{m}</p> })}
        </div>
    }
}

/// A text or date `<input>` bound to one member field.
#[component]
fn MemberInput(
    wizard: Wizard,
    key: u32,
    field: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = move || member_field(wizard.index_of(key), field);
    let value = move || wizard.member(key, |m| m.field(field)).unwrap_or_default();
    let error = move || wizard.error(&id());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <input id=id type=kind value=value prop:value=value autocomplete="off"
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    wizard.update_member(key, |m| m.set_field(field, v));
                }
                on:blur=move |_| wizard.touch(id())
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=move || format!("{}-error", id())/>
            {move || error().map(|m| view! { <p class="field-error" id=format!("{}-error", id())>{m}</p> })}
        </div>
    }
}

#[component]
fn ProjectStep(wizard: Wizard) -> impl IntoView {
    let draft = wizard.draft;
    let project_id = move || draft.with(|d| d.project_id.clone());
    let entry_date = move || draft.with(|d| d.entry_date.clone());
    let projects = wizard.projects.get_value();
    let no_projects = projects.is_empty();
    let warnings = move || draft.with(|d| intake_warnings(d, wizard.event_date, today()));
    let operating = move || {
        wizard.project().map(|p| match p.operating_end {
            Some(end) => format!(
                "Operating {} to {}.",
                format_date(p.operating_start),
                format_date(end)
            ),
            None => format!("Operating since {}.", format_date(p.operating_start)),
        })
    };
    view! {
        <h2>"Project and start"</h2>
        {no_projects.then(|| view! { <p class="notice-inline" role="note">"Your organization has no projects to enroll into. Apply the Organization that runs the project (see Settings)."</p> })}
        <div class="field">
            <label for="project_id">"Project"</label>
            <select id="project_id"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    draft.update(|d| {
                        d.project_id = v;
                        // The head of household's Enrollment CoC is the project's CoC.
                        let coc = wizard.projects.with_value(|p| p.iter().find(|p| p.id.to_string() == d.project_id).map(|p| p.coc_code.clone()));
                        d.enrollment_coc = coc.unwrap_or_default();
                    });
                    wizard.touch("project_id".into());
                }
                aria-invalid=move || wizard.error("project_id").map(|_| "true")
                aria-describedby="project_id-hint project_id-error">
                <option value="" selected=move || project_id().is_empty()>"Choose the project…"</option>
                {projects.into_iter().map(|p| {
                    let id = p.id.to_string();
                    let is = id.clone();
                    let kind = ProjectType::from_code(p.project_type).map(|t| t.label()).unwrap_or("Other");
                    view! { <option value=id selected=move || project_id() == is>{format!("{} ({kind})", p.name)}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="project_id-hint">{operating}</p>
            {move || wizard.error("project_id").map(|m| view! { <p class="field-error" id="project_id-error">{m}</p> })}
        </div>
        <div class="field">
            <label for="entry_date">"Project Start Date"</label>
            <input id="entry_date" type="date" max=today().to_string() value=entry_date prop:value=entry_date
                on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.entry_date = v); }
                on:change=move |_| wizard.touch("entry_date".into())
                aria-invalid=move || wizard.error("entry_date").map(|_| "true")
                aria-describedby="entry_date-hint entry_date-error"/>
            <p class="hint" id="entry_date-hint">"The day the household entered the project (for permanent housing: the day they were admitted). Not in the future."</p>
            {move || wizard.error("entry_date").map(|m| view! { <p class="field-error" id="entry_date-error">{m}</p> })}
        </div>
        {move || warnings().into_iter().map(|w| view! { <p class="warning" role="note">{w}</p> }).collect_view()}
    }
}

#[component]
fn HouseholdStep(wizard: Wizard, client_id: i64, draft_id: i64) -> impl IntoView {
    let draft = wizard.draft;
    let keys = move || draft.with(|d| d.members.iter().map(|m| m.key).collect::<Vec<_>>());
    let query = RwSignal::new(String::new());
    let search = Action::new(move |q: &String| {
        let q = q.clone();
        async move { household_candidates(client_id, draft_id, q).await }
    });
    let add_existing = move |c: HouseholdCandidate| {
        draft.update(|d| {
            add_member(
                d,
                MemberDraft {
                    client_id: Some(c.client_id),
                    name: c.name,
                    known_dob: c.dob,
                    open_project_ids: c.open_project_ids,
                    enrolled_elsewhere: c.enrolled_elsewhere,
                    ..Default::default()
                },
            )
        });
    };
    let add_new = move |_| {
        draft.update(|d| {
            add_member(
                d,
                MemberDraft {
                    name_data_quality: NameDataQuality::Full.code().to_string(),
                    dob_data_quality: DobDataQuality::Full.code().to_string(),
                    ssn_data_quality: SsnDataQuality::DataNotCollected.code().to_string(),
                    ..Default::default()
                },
            )
        });
    };
    let in_household =
        move |id: i64| draft.with(|d| d.members.iter().any(|m| m.client_id == Some(id)));
    view! {
        <h2>"Household"</h2>
        <p class="hint">"Everyone who enters the project together. Exactly one member is Self (Head of Household); when adults are present, the head is an adult."</p>
        {move || wizard.error("household").map(|m| view! { <p class="field-error" id="household">{m}</p> })}
        <ul class="members" aria-label="Household members">
            <For each=keys key=|k| *k let:key>
                <HouseholdMember wizard key/>
            </For>
        </ul>
        <fieldset class="add-member">
            <legend>"Add a household member"</legend>
            <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); search.dispatch(query.get_untracked()); }>
                <div class="field">
                    <label for="member_query">"Find a client by name or Personal ID"</label>
                    <input id="member_query" type="search" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="secondary" disabled=move || search.pending().get()>
                    {move || if search.pending().get() { "Searching…" } else { "Search" }}
                </button>
                <button type="button" class="secondary" on:click=add_new>"Add a new client"</button>
            </form>
            {move || search.value().get().map(|result| match result {
                Ok(found) if found.is_empty() => view! { <p role="status">"No clients found that your organization may see. Add a new client instead."</p> }.into_any(),
                Ok(found) => view! {
                    <ul class="candidates" aria-label="Clients found">
                        {found.into_iter().map(|c| {
                            let label = format!("Add {}", c.name);
                            let id = c.client_id;
                            let dob = c.dob.map(format_date).unwrap_or_else(|| "DOB not recorded".into());
                            let elsewhere = if c.enrolled_elsewhere { " · Enrolled elsewhere" } else { "" };
                            let text = format!("{} · {} · Personal ID {}{elsewhere}", c.name, dob, c.client_id);
                            let c = StoredValue::new(c);
                            view! {
                                <li>
                                    <span>{text}</span>" "
                                    <button type="button" class="secondary small" aria-label=label disabled=move || in_household(id)
                                        on:click=move |_| add_existing(c.get_value())>"Add"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <p class="field-error" role="alert">{e.field_errors().and_then(|f| f.get("member_query").map(str::to_string)).unwrap_or_else(|| e.to_string())}</p> }.into_any(),
            })}
        </fieldset>
    }
}

#[component]
fn HouseholdMember(wizard: Wizard, key: u32) -> impl IntoView {
    let is_new = wizard.member(key, |m| m.is_new_client()).unwrap_or(false);
    let elsewhere = wizard
        .member(key, |m| m.enrolled_elsewhere)
        .unwrap_or(false);
    let name = move || wizard.member(key, |m| m.display_name()).unwrap_or_default();
    let dob = move || {
        wizard
            .member(key, |m| m.birth_date())
            .flatten()
            .map(format_date)
            .unwrap_or_else(|| "not recorded".into())
    };
    let enrolled_error = move || wizard.error(&member_field(wizard.index_of(key), "enrolled"));
    let remove = move |_| {
        wizard.draft.update(|d| d.members.retain(|m| m.key != key));
    };
    let relationships = RelationshipToHoH::options();
    let only_head = move || {
        wizard.draft.with(|d| {
            let heads = d.members.iter().filter(|m| m.is_head()).count();
            heads == 1 && d.members.iter().any(|m| m.key == key && m.is_head())
        })
    };
    view! {
        <li class="member">
            <div class="member-head">
                <strong>{name}</strong>
                {(!is_new).then(|| view! { <span class="muted">" · born "{dob}</span> })}
                {elsewhere.then(|| view! { <span class="muted">" · enrolled elsewhere"</span> })}
                {is_new.then(|| view! { <span class="badge">"New client"</span> })}
                // The only head of household stays: a household needs one (3.15), so the
                // caseworker names another head before this member can go.
                <Show when=move || !only_head()>
                    <button type="button" class="secondary small" aria-label=move || format!("Remove {}", name()) on:click=remove>"Remove"</button>
                </Show>
            </div>
            {move || enrolled_error().map(|m| view! { <p class="field-error" id=member_field(wizard.index_of(key), "enrolled")>{m}</p> })}
            {is_new.then(|| view! {
                <fieldset>
                    <legend>"New client"</legend>
                    <div class="field-row">
                        <MemberInput wizard key field="first_name" label="First name"/>
                        <MemberInput wizard key field="last_name" label="Last name"/>
                    </div>
                    <MemberSelect wizard key field="name_data_quality" label="Name data quality"
                        options=NameDataQuality::options()/>
                    <div class="field-row">
                        <MemberInput wizard key field="dob" label="Date of birth" kind="date"/>
                        <MemberSelect wizard key field="dob_data_quality" label="DOB data quality"
                            options=DobDataQuality::options()/>
                    </div>
                    <div class="field-row">
                        <MemberInput wizard key field="ssn" label="SSN (optional)" hint="9 digits; x for unknown digits"/>
                        <MemberSelect wizard key field="ssn_data_quality" label="SSN data quality"
                            options=SsnDataQuality::options()/>
                    </div>
                </fieldset>
            })}
            <MemberSelect wizard key field="relationship" label="Relationship to Head of Household" options=relationships/>
        </li>
    }
}

#[component]
fn UdeStep(wizard: Wizard) -> impl IntoView {
    let draft = wizard.draft;
    let keys = move || draft.with(|d| d.members.iter().map(|m| m.key).collect::<Vec<_>>());
    let coc = move || draft.with(|d| d.enrollment_coc.clone());
    let coc_options = move || {
        wizard
            .project()
            .map(|p| p.coc_code)
            .into_iter()
            .collect::<Vec<_>>()
    };
    view! {
        <h2>"Universal data elements"</h2>
        <div class="field">
            <label for="enrollment_coc">"Enrollment CoC (head of household)"</label>
            <select id="enrollment_coc"
                on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.enrollment_coc = v); wizard.touch("enrollment_coc".into()); }
                aria-invalid=move || wizard.error("enrollment_coc").map(|_| "true")
                aria-describedby="enrollment_coc-error">
                <option value="" selected=move || coc().is_empty()>"Choose…"</option>
                {move || coc_options().into_iter().map(|c| {
                    let is = c.clone();
                    let text = c.clone();
                    view! { <option value=c selected=move || coc() == is>{text}</option> }
                }).collect_view()}
            </select>
            {move || wizard.error("enrollment_coc").map(|m| view! { <p class="field-error" id="enrollment_coc-error">{m}</p> })}
        </div>
        <For each=keys key=|k| *k let:key>
            <MemberUde wizard key/>
        </For>
    }
}

#[component]
fn MemberUde(wizard: Wizard, key: u32) -> impl IntoView {
    let name = move || wizard.member(key, |m| m.display_name()).unwrap_or_default();
    let entry = move || {
        wizard
            .draft
            .with(|d| crate::domain::dates::parse_date(&d.entry_date).ok())
    };
    let adult = move || {
        wizard
            .member(key, |m| m.is_adult_on(entry()))
            .unwrap_or(true)
    };
    let head = move || wizard.member(key, |m| m.is_head()).unwrap_or(false);
    let project_type = move || {
        wizard
            .project()
            .and_then(|p| ProjectType::from_code(p.project_type))
    };
    let questions = move || {
        wizard
            .member(key, |m| {
                let code = |s: &str| s.parse::<i16>().ok();
                prior_living_questions(
                    project_type(),
                    code(&m.living_situation).and_then(LivingSituation::from_code),
                    code(&m.length_of_stay).and_then(LengthOfStay::from_code),
                    code(&m.previous_street_essh).and_then(NoYesDataNotCollected::from_code),
                )
            })
            .unwrap_or_default()
    };
    let role = move || {
        if head() {
            "head of household"
        } else if adult() {
            "adult"
        } else {
            "child"
        }
    };
    let no_yes = NoYesMissing::options();
    let prior_options: Vec<(i16, &'static str)> = LivingSituation::ALL
        .iter()
        .filter(|l| l.allowed_as_prior())
        .map(|l| (l.code(), l.label()))
        .collect();
    let race_id = move || member_field(wizard.index_of(key), "race");
    let race_error = move || wizard.error(&race_id());
    view! {
        <fieldset class="member-ude">
            <legend>{name}" ("{role}")"</legend>
            <div class="field-row">
                <MemberSelect wizard key field="disabling_condition" label="Disabling Condition" options=no_yes.clone()/>
                <MemberSelect wizard key field="sex" label="Sex" options=Sex::options()/>
            </div>
            <Show when=adult>
                <MemberSelect wizard key field="veteran_status" label="Veteran Status" options=no_yes.clone()/>
            </Show>
            <fieldset class="race" id=race_id aria-describedby=move || format!("{}-error", race_id())>
                <legend>"Race and Ethnicity (select all that apply)"</legend>
                {RaceCategory::ALL.iter().map(|category| {
                    let code = category.code().to_string();
                    let box_id = move || format!("{}-{}", race_id(), category.code());
                    let checked = {
                        let code = code.clone();
                        move || wizard.member(key, |m| m.race.contains(&code)).unwrap_or(false)
                    };
                    view! {
                        <div class="check">
                            <input type="checkbox" id=box_id checked=checked.clone() prop:checked=checked
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let code = code.clone();
                                    wizard.update_member(key, |m| {
                                        m.race.retain(|c| *c != code);
                                        if on { m.race.push(code); m.race_none.clear(); }
                                    });
                                    wizard.touch(race_id());
                                }/>
                            <label for=box_id>{category.label()}</label>
                        </div>
                    }
                }).collect_view()}
                <MemberSelect wizard key field="race_none" label="Or, if none is given" placeholder="—"
                    options=RaceNone::options()/>
                {move || race_error().map(|m| view! { <p class="field-error" id=format!("{}-error", race_id())>{m}</p> })}
            </fieldset>
            <Show when=move || head() || adult()>
                <fieldset class="prior-living">
                    <legend>"Prior Living Situation"</legend>
                    <MemberSelect wizard key field="living_situation" label="Type of residence (the night before project start)" options=prior_options.clone()/>
                    <Show when=move || questions().rental_subsidy_type>
                        <MemberSelect wizard key field="rental_subsidy_type" label="Rental subsidy type"
                            options=RentalSubsidyType::options()/>
                    </Show>
                    <Show when=move || questions().length_of_stay>
                        <MemberSelect wizard key field="length_of_stay" label="Length of stay in prior living situation"
                            options=LengthOfStay::options()/>
                    </Show>
                    <Show when=move || questions().previous_street_essh>
                        <MemberSelect wizard key field="previous_street_essh" label="On the night before, did they stay on the streets, in ES or SH?"
                            options=NoYesDataNotCollected::options()/>
                    </Show>
                    <Show when=move || questions().homeless_history>
                        <MemberInput wizard key field="date_to_street_essh" label="Approximate date this episode of homelessness started" kind="date"/>
                        <MemberSelect wizard key field="times_homeless" label="Times homeless in the past three years"
                            options=TimesHomeless::options()/>
                        <MemberSelect wizard key field="months_homeless" label="Months homeless in the past three years"
                            options=MonthsHomeless::options()/>
                    </Show>
                </fieldset>
            </Show>
        </fieldset>
    }
}

fn label_of<T>(raw: &str, from_code: fn(i16) -> Option<T>, label: fn(T) -> &'static str) -> String {
    raw.parse::<i16>()
        .ok()
        .and_then(from_code)
        .map(label)
        .unwrap_or("Not answered")
        .to_string()
}

#[component]
fn ReviewStep<G>(wizard: Wizard, validation: Memo<FieldErrors>, go_to: G) -> impl IntoView
where
    G: Fn(IntakeStep) + Copy + Send + Sync + 'static,
{
    let draft = wizard.draft.get_untracked();
    let project = wizard
        .project()
        .map(|p| p.name)
        .unwrap_or_else(|| "Not chosen".into());
    let entry = crate::domain::dates::parse_date(&draft.entry_date)
        .map(format_date)
        .unwrap_or_else(|_| "Not entered".into());
    let steps_with_errors = move || {
        let errors = validation.get();
        IntakeStep::ALL
            .into_iter()
            .filter(|s| *s != IntakeStep::Review && !errors_of_step(&errors, *s).is_empty())
            .collect::<Vec<_>>()
    };
    view! {
        <h2>"Review and submit"</h2>
        {move || steps_with_errors().into_iter().map(|s| view! {
            <p class="notice-inline">{format!("{} has answers to fix. ", s.label())}
                <button type="button" class="secondary small" on:click=move |_| go_to(s)>{format!("Go to {}", s.label())}</button>
            </p>
        }).collect_view()}
        <dl class="facts">
            <dt>"Project"</dt><dd>{project}</dd>
            <dt>"Project Start Date"</dt><dd>{entry}</dd>
            <dt>"Enrollment CoC"</dt><dd>{draft.enrollment_coc.clone()}</dd>
        </dl>
        {draft.members.iter().map(|m| {
            let adult = m.is_adult_on(crate::domain::dates::parse_date(&draft.entry_date).ok());
            let race: Vec<String> = m.race.iter().map(|c| label_of(c, RaceCategory::from_code, RaceCategory::label)).collect();
            let race = if race.is_empty() { label_of(&m.race_none, RaceNone::from_code, RaceNone::label) } else { race.join("; ") };
            view! {
                <section class="review-member" aria-label=m.display_name()>
                    <h3>{m.display_name()}</h3>
                    <dl class="facts">
                        <dt>"Relationship to Head of Household"</dt><dd>{label_of(&m.relationship, RelationshipToHoH::from_code, RelationshipToHoH::label)}</dd>
                        <dt>"Disabling Condition"</dt><dd>{label_of(&m.disabling_condition, NoYesMissing::from_code, NoYesMissing::label)}</dd>
                        <dt>"Veteran Status"</dt><dd>{if adult { label_of(&m.veteran_status, NoYesMissing::from_code, NoYesMissing::label) } else { "Not asked (child)".to_string() }}</dd>
                        <dt>"Sex"</dt><dd>{label_of(&m.sex, Sex::from_code, Sex::label)}</dd>
                        <dt>"Race and Ethnicity"</dt><dd>{race}</dd>
                        <dt>"Prior Living Situation"</dt><dd>{if adult || m.is_head() { label_of(&m.living_situation, LivingSituation::from_code, LivingSituation::label) } else { "Not asked (child)".to_string() }}</dd>
                    </dl>
                </section>
            }
        }).collect_view()}
    }
}

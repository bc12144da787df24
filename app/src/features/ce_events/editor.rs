//! The CE Event form (HUD 4.20): the receiving provider acknowledges and resolves the
//! referral (Acknowledgement and Referral outcome fieldsets), moves its Referral Need Status,
//! and the Priority List Manager corrects it. Every field is a [`CeEventField`]: its name, label
//! and value come from there, and the shared rules (`validate_ce_event`) run as the user types.

use super::api::{
    get_ce_event, record_field, referral_field, CeEventForm, CorrectCeEvent, EventRef, SaveCeEvent,
    UpdateNeedStatus,
};
use super::opt_date;
use crate::domain::ce_event::{
    validate_ce_event, CeEventDraft, CeEventField, CeEventField as F, EnrollmentOption,
};
use crate::domain::codes::ReferralResult;
use crate::domain::dates::format_date;
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::features::clients::{ClientMenu, RecordPage};
use crate::features::intake::api::StartIntake;
use crate::features::notes::{api::NoteOn, Notes};
use crate::features::returns::ReturnSection;
use crate::routes;
use crate::ui::{
    follow_saves, form_error, interactive, param_id, shown_errors, today, unavailable_reason,
    ErrorSummary, FieldError, FieldLabels, Loaded,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
    // Bumped after a successful save only: reloading after a refused one would throw away what
    // the user typed (which `action.version()`, counting every dispatch, would do).
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
        <Loaded resource=form loading="Loading the CE Event…"
            view=move |form| view! { <CeEventEditor form reload saved/> }/>
    }
}

/// The provider form's state, shared by its fieldsets: the draft as typed, the fields the user
/// touched, the Resulting Enrollment choices and the errors shown.
#[derive(Clone, Copy)]
struct Editor {
    draft: RwSignal<CeEventDraft>,
    touched: RwSignal<Vec<&'static str>>,
    options: StoredValue<Vec<EnrollmentOption>>,
    shown: Signal<Option<AppError>>,
    /// False in the server-rendered page (and without JavaScript): every outcome field is shown,
    /// so a referral can be resolved by a plain form post.
    interactive: RwSignal<bool>,
}

impl Editor {
    fn set(self, field: CeEventField, value: String) {
        self.options
            .with_value(|options| self.draft.update(|d| d.set(field, value, options)));
        self.touched.update(|t| {
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
    }

    fn value(self, field: CeEventField) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.draft.with(|d| field.get(d).to_string())
    }

    fn invalid(self, field: CeEventField) -> impl Fn() -> Option<&'static str> + Copy {
        move || {
            self.shown.get().and_then(|e| {
                e.field_errors()
                    .and_then(|f| f.get(field.name()).map(|_| "true"))
            })
        }
    }

    fn is(self, field: CeEventField, value: String) -> impl Fn() -> bool + Send + Sync + 'static {
        move || self.draft.with(|d| field.get(d) == value)
    }

    fn result_is(self, result: Option<ReferralResult>) -> bool {
        self.draft.with(|d| d.result() == result)
    }

    fn successful(self) -> bool {
        self.result_is(Some(ReferralResult::SuccessfulClientAccepted))
    }

    fn has_result(self) -> bool {
        self.draft.with(|d| !d.referral_result.is_empty())
    }

    /// Hides a field that does not apply, only once the page is interactive.
    fn hidden_unless(self, applies: fn(Editor) -> bool) -> impl Fn() -> bool + Copy {
        move || self.interactive.get() && !applies(self)
    }
}

#[component]
fn CeEventEditor(form: CeEventForm, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let mut form = form;
    choose_enrollment_from_intake(&mut form);
    let save = ServerAction::<SaveCeEvent>::new();
    let server_error = form_error(save);
    let facts = StoredValue::new(form.facts.clone());
    let options = StoredValue::new(form.enrollment_options.clone());
    let reason_ids = StoredValue::new(form.reasons.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    let draft = RwSignal::new(form.draft.clone());
    let touched = RwSignal::new(Vec::<&'static str>::new());
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
    let editor = Editor {
        draft,
        touched,
        options,
        shown,
        interactive: interactive(),
    };
    // "Saved.", then the form reloads with the saved values (and the new version).
    follow_saves(save, saved, reload);
    let client_id = form.client_id;
    let record = form.record();
    let (acknowledgement, outcome) = (form.clone(), form.clone());
    let starts_intake = form.can_resolve
        && form.enrollment_options.is_empty()
        && form.facts.referral_result.is_none();

    view! {
        <div class="client-record">
            <ClientMenu client_id current=RecordPage::CeEvent/>
            <section class="panel">
                <h1>"CE Event"</h1>
                <p class="muted">{form.client_name.clone()}</p>
                <EventFacts form=form.clone()/>
                {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
                <ErrorSummary error=shown labels=CE_EVENT_LABELS/>
                {move || matches!(server_error.get(), Some(AppError::Conflict)).then(|| view! {
                    <p><button type="button" on:click=move |_| reload.update(|n| *n += 1)>"Reload the latest version"</button></p>
                })}
                {if form.can_resolve {
                    view! {
                        <ActionForm action=save attr:class="ce-event-form" attr:novalidate=true>
                            {record_fields(record)}
                            <AcknowledgementFieldset form=acknowledgement editor/>
                            <OutcomeFieldset form=outcome editor/>
                            <div class="actions">
                                <button type="submit" class="primary"
                                    disabled=move || save.pending().get() || validation.get().is_some()
                                    aria-busy=move || save.pending().get().to_string() aria-describedby="save-reason">
                                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                                </button>
                                <span id="save-reason" class="hint" aria-live="polite">
                                    {move || validation.get().map(|e| unavailable_reason(&e, CE_EVENT_LABELS))}
                                </span>
                                <a href=routes::client_ce_events(client_id)>"Back to CE Events"</a>
                            </div>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <ReadOnlyOutcome form=form.clone()/> }.into_any()
                }}
                {starts_intake.then(|| view! { <StartIntakeForm form=form.clone()/> })}
                {form.can_resolve.then(|| view! { <NeedStatusForm form=form.clone() reload saved/> })}
                {form.can_correct.then(|| view! { <CorrectionForm form=form.clone() reload/> })}
                <ReturnSection record facts=form.facts.clone() state=form.returns.clone() reload saved/>
                {form.notes.clone().map(|thread| view! {
                    <Notes thread on=NoteOn::CeEvent { client_id, event_id: form.id } reload/>
                })}
                <History form=form.clone()/>
            </section>
        </div>
    }
}

/// Back from an intake started here (`?enrollment=`): its enrollment is chosen as the
/// successful result.
fn choose_enrollment_from_intake(form: &mut CeEventForm) {
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
}

/// Event Date, Event, the project and the Referral Need Status with its due date.
#[component]
fn EventFacts(form: CeEventForm) -> impl IntoView {
    let due = form
        .need_status_due
        .filter(|_| form.facts.referral_result.is_none())
        .map(|due| {
            let overdue = crate::domain::timeliness::is_overdue(Some(due), today());
            let text = if overdue {
                format!(
                    "Overdue since {}",
                    format_date(due + chrono::Duration::days(1))
                )
            } else {
                format!("Due by {}", format_date(due))
            };
            view! { <span class=if overdue { "badge overdue" } else { "badge" }>{text}</span> }
        });
    view! {
        <dl class="facts">
            <dt>"Event Date"</dt><dd>{format_date(form.facts.event_date)}</dd>
            <dt>"Event"</dt><dd>{form.event_label.clone()}</dd>
            <dt>"Referred to"</dt><dd>{form.referred_project.clone()}</dd>
            <dt>"Referral Need Status"</dt>
            <dd>{form.need_status.clone().unwrap_or_default()} {due}</dd>
        </dl>
    }
}

/// A text field of the draft: label, input, and its error.
#[component]
fn DraftInput(
    editor: Editor,
    field: CeEventField,
    /// The value as stored, rendered as the `value` attribute (the form posts without JavaScript).
    initial: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] min: String,
) -> impl IntoView {
    let key = field.name();
    view! {
        <div class="field">
            <label for=key>{field.label()}</label>
            <input id=key name=field.form_name() type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                maxlength=maxlength.map(|n| n.to_string())
                min=(!min.is_empty()).then_some(min)
                max=(kind == "date").then(|| today().to_string())
                value=initial prop:value=editor.value(field)
                on:input=move |ev| editor.set(field, event_target_value(&ev))
                aria-invalid=editor.invalid(field) aria-describedby=format!("{key}-error")/>
            <FieldError error=editor.shown field=key/>
        </div>
    }
}

/// A locked field: its value shown, and posted unchanged.
#[component]
fn LockedField(
    editor: Editor,
    field: CeEventField,
    shown: String,
    initial: String,
) -> impl IntoView {
    view! {
        <p class="field-readonly"><span class="label">{field.label()}</span> " " {shown}</p>
        <input type="hidden" name=field.form_name() value=initial prop:value=editor.value(field)/>
    }
}

/// Date Referral Acknowledged and the Housing Provider Contact.
#[component]
fn AcknowledgementFieldset(form: CeEventForm, editor: Editor) -> impl IntoView {
    let initial = form.draft.clone();
    let acknowledged = if form.facts.is_locked_successful() {
        view! {
            <LockedField editor field=F::DateReferralAcknowledged
                shown=opt_date(form.facts.date_acknowledged) initial=initial.date_referral_acknowledged.clone()/>
        }
        .into_any()
    } else {
        view! {
            <DraftInput editor field=F::DateReferralAcknowledged kind="date"
                min=form.facts.event_date.to_string() initial=initial.date_referral_acknowledged.clone()/>
        }
        .into_any()
    };
    view! {
        <fieldset>
            <legend>"Acknowledgement"</legend>
            {acknowledged}
            <DraftInput editor field=F::ProviderContactName autocomplete="name"
                maxlength=crate::domain::ce_event::CONTACT_NAME_MAX initial=initial.provider_contact_name.clone()/>
            <div class="field-row">
                <DraftInput editor field=F::ProviderContactPhone kind="tel" autocomplete="tel" inputmode="tel"
                    initial=initial.provider_contact_phone.clone()/>
                <DraftInput editor field=F::ProviderContactEmail kind="email" autocomplete="email"
                    initial=initial.provider_contact_email.clone()/>
            </div>
        </fieldset>
    }
}

/// Referral Result, Resulting Enrollment, Result Date and If Not Housed, Reason (HUD 4.20.D–F;
/// only for the event types that take a result). A successful result is locked.
#[component]
fn OutcomeFieldset(form: CeEventForm, editor: Editor) -> impl IntoView {
    if !form.facts.event.takes_referral_result() {
        return view! {
            <input type="hidden" name=F::ReferralResult.form_name() value=""/>
            <input type="hidden" name=F::ResultDate.form_name() value=""/>
            <input type="hidden" name=F::ResultingEnrollment.form_name() value=""/>
            <input type="hidden" name=F::NotHousedReason.form_name() value=""/>
        }
        .into_any();
    }
    let result = if form.facts.is_locked_successful() {
        view! { <LockedOutcome form=form.clone() editor/> }.into_any()
    } else {
        view! { <OpenOutcome form=form.clone() editor/> }.into_any()
    };
    view! {
        <fieldset>
            <legend>"Referral outcome"</legend>
            {result}
            <div class="field" class:hidden=editor.hidden_unless(Editor::has_result)>
                <label for="not_housed_reason">{F::NotHousedReason.label()}</label>
                <select id="not_housed_reason" name=F::NotHousedReason.form_name()
                    on:change=move |ev| editor.set(F::NotHousedReason, event_target_value(&ev))
                    aria-invalid=editor.invalid(F::NotHousedReason) aria-describedby="not_housed_reason-error">
                    <option value="" selected=editor.is(F::NotHousedReason, String::new())>"(none)"</option>
                    {form.reasons.iter().map(|(id, label)| view! {
                        <option value=id.to_string() selected=editor.is(F::NotHousedReason, id.to_string())>{label.clone()}</option>
                    }).collect_view()}
                </select>
                <FieldError error=editor.shown field="not_housed_reason"/>
            </div>
        </fieldset>
    }
    .into_any()
}

/// Resolved as successful: the client was enrolled; result, date and enrollment are shown only.
#[component]
fn LockedOutcome(form: CeEventForm, editor: Editor) -> impl IntoView {
    let initial = form.draft.clone();
    let enrollment = form
        .enrollment_options
        .iter()
        .find(|o| Some(o.id) == form.facts.resulting_enrollment_id)
        .map(enrollment_label)
        .unwrap_or_default();
    view! {
        <p class="notice-inline" role="note">"This referral was resolved as successful: the client was enrolled. Its Referral Result, Result Date and Resulting Enrollment can no longer change. If the client is not housed, record If Not Housed, Reason."</p>
        <LockedField editor field=F::ReferralResult initial=initial.referral_result.clone()
            shown=form.facts.referral_result.map(|r| r.label().to_string()).unwrap_or_default()/>
        <LockedField editor field=F::ResultDate initial=initial.result_date.clone()
            shown=opt_date(form.facts.result_date)/>
        <LockedField editor field=F::ResultingEnrollment initial=initial.resulting_enrollment.clone()
            shown=enrollment/>
    }
}

fn enrollment_label(option: &EnrollmentOption) -> String {
    format!(
        "{} (Project Start Date {})",
        option.project_name,
        format_date(option.entry_date)
    )
}

/// Not resolved yet, or resolved as unsuccessful: the result may be chosen or changed.
#[component]
fn OpenOutcome(form: CeEventForm, editor: Editor) -> impl IntoView {
    let no_options = form.enrollment_options.is_empty();
    view! {
        <div class="field">
            <label for="referral_result">{F::ReferralResult.label()}</label>
            <select id="referral_result" name=F::ReferralResult.form_name()
                on:change=move |ev| editor.set(F::ReferralResult, event_target_value(&ev))
                aria-invalid=editor.invalid(F::ReferralResult) aria-describedby="referral_result-error">
                <option value="" selected=move || editor.result_is(None)>"(not resolved yet)"</option>
                {ReferralResult::ALL.iter().map(|&r| view! {
                    <option value=CeEventDraft::result_value(Some(r)) selected=move || editor.result_is(Some(r))>{r.label()}</option>
                }).collect_view()}
            </select>
            <FieldError error=editor.shown field="referral_result"/>
        </div>
        <div class="field" class:hidden=editor.hidden_unless(Editor::successful)>
            <label for="resulting_enrollment">{F::ResultingEnrollment.label()}</label>
            <select id="resulting_enrollment" name=F::ResultingEnrollment.form_name()
                on:change=move |ev| editor.set(F::ResultingEnrollment, event_target_value(&ev))
                aria-invalid=editor.invalid(F::ResultingEnrollment) aria-describedby="resulting_enrollment-hint resulting_enrollment-error">
                <option value="" selected=editor.is(F::ResultingEnrollment, String::new())>"Choose the enrollment…"</option>
                {form.enrollment_options.iter().map(|o| view! {
                    <option value=o.id.to_string() selected=editor.is(F::ResultingEnrollment, o.id.to_string())>{enrollment_label(o)}</option>
                }).collect_view()}
            </select>
            {no_options.then(|| view! {
                <p class="hint" id="resulting_enrollment-hint">
                    "This client has no enrollment in your organization's projects that started on or after the Event Date. Complete an Intake for the client first; it returns here with the enrollment chosen. "
                    // Submits the Start intake form below (forms cannot nest).
                    <button type="submit" form="start-intake" class="secondary small">"Start intake"</button>
                </p>
            })}
            <FieldError error=editor.shown field="resulting_enrollment"/>
        </div>
        <div class="field" class:hidden=editor.hidden_unless(Editor::has_result)>
            <label for="result_date">{F::ResultDate.label()}</label>
            <input id="result_date" name=F::ResultDate.form_name() type="date"
                min=form.facts.event_date.to_string() max=today().to_string()
                readonly=move || editor.successful()
                value=form.draft.result_date.clone() prop:value=editor.value(F::ResultDate)
                on:input=move |ev| editor.set(F::ResultDate, event_target_value(&ev))
                aria-invalid=editor.invalid(F::ResultDate) aria-describedby="result_date-hint result_date-error"/>
            {move || (editor.successful() || !editor.interactive.get()).then(|| view! {
                <p class="hint" id="result_date-hint">"For a successful referral this is the Resulting Enrollment's project start date (left blank, it is taken from the enrollment)."</p>
            })}
            <FieldError error=editor.shown field="result_date"/>
        </div>
    }
}

/// The hidden form the "Start intake" button of the Resulting Enrollment field submits.
#[component]
fn StartIntakeForm(form: CeEventForm) -> impl IntoView {
    let start_intake = ServerAction::<StartIntake>::new();
    view! {
        <ActionForm action=start_intake attr:id="start-intake" attr:class="hidden">
            <input type="hidden" name="client_id" value=form.client_id/>
            <input type="hidden" name="ce_event_id" value=form.id/>
        </ActionForm>
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
    follow_saves(update, saved, reload);
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
                        // Nothing chosen until the caseworker chooses: the next status in order
                        // is often not the one meant ("CES: Enrolled" on an engaged referral).
                        <option value="" selected>"Choose a status"</option>
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
    // While a return awaits review the notice above says why nothing can change.
    let awaiting_review = form.returns.pending().is_some();
    view! {
        {(!awaiting_review).then(|| view! {
            <p class="muted">"Only the receiving organization acknowledges and resolves this referral."</p>
        })}
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

//! System Administrator settings: the Referral Need Status list of each CoC, and the holidays its
//! business-day standards skip.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::dates::format_date;
use crate::domain::holidays::{validate_holiday, HolidayDraft};
use crate::features::audit::{history_resource, HistoryResource, RecordHistory};
use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::{
    form_error, shown_errors, today, unavailable_reason, ErrorPanel, ErrorSummary, FieldError,
    FieldLabels, TextField,
};
use api::{
    list_need_statuses, record_field, status_field, AddFederalHolidays, AddHoliday, HolidayView,
    NeedStatusList, NeedStatusView, RemoveHoliday, SaveNeedStatus,
};
use chrono::Datelike;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const LABELS: FieldLabels = &[
    ("name", "Status name"),
    ("sort_order", "Order"),
    ("days_allowed", "Days allowed"),
    ("next", "Allowed next statuses"),
];

#[component]
pub fn NeedStatusesPage() -> impl IntoView {
    view! { <Guarded needs_context=true><NeedStatuses/></Guarded> }
}

#[component]
fn NeedStatuses() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    // "Saved." outlives the form, which is rebuilt with the saved values.
    let saved = RwSignal::new(query.read_untracked().get("saved").is_some());
    let holiday_notice = RwSignal::new(
        query
            .read_untracked()
            .get("holiday_saved")
            .map(|_| "Saved.".to_string()),
    );
    let list = Resource::new(
        move || (param("coc"), reload.get()),
        |(coc, _)| list_need_statuses(coc),
    );
    // The history of the status being edited (`?edit=ID`), shown under its form.
    let history = history_resource(
        "referral_need_status",
        move || param("edit").parse::<i64>().ok(),
        reload,
    );
    view! {
        <section class="panel">
            <h1>"Referral Need Statuses"</h1>
            <p class="hint">"Each CoC's statuses and their timeliness standards: how many days a referral may stay in a status before it is overdue, counted in business days (Monday to Friday, less the CoC's holidays) or calendar days."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => {
                            let (coc, holidays) = (list.coc.clone(), list.holidays.clone());
                            view! {
                                <StatusTable list edit=param("edit") reload saved history/>
                                <Holidays coc holidays reload notice=holiday_notice/>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StatusTable(
    list: NeedStatusList,
    edit: String,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    history: HistoryResource,
) -> impl IntoView {
    let coc = list.coc.clone();
    let selected_coc = list.coc.clone();
    let name_of = {
        let statuses = list.statuses.clone();
        move |id: &i64| {
            statuses
                .iter()
                .find(|s| s.id == *id)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        }
    };
    let editing: Option<NeedStatusView> = list
        .statuses
        .iter()
        .find(|s| s.id.to_string() == edit)
        .cloned();
    let adding = edit == "new";
    view! {
        <Form method="GET" action=routes::NEED_STATUSES attr:class="inline-form">
            <div class="field">
                <label for="coc">"Continuum of Care"</label>
                <select id="coc" name="coc">
                    {list.cocs.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=*code == selected_coc>{format!("{code} {name}")}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">"Show"</button>
        </Form>
        <table class="data">
            <thead><tr>
                <th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col">"Final"</th>
                <th scope="col">"Days allowed"</th><th scope="col">"Allowed next statuses"</th><th scope="col"><span class="sr-only">"Edit"</span></th>
            </tr></thead>
            <tbody>
                {list.statuses.iter().map(|s| {
                    let standard = s.days_allowed.map(|d| format!("{d} {}", if s.business_days { "business days" } else { "calendar days" })).unwrap_or_else(|| "—".into());
                    let next = s.next.iter().map(&name_of).collect::<Vec<_>>().join("; ");
                    view! {
                        <tr>
                            <td>{s.sort_order}</td>
                            <td>{s.name.clone()}{s.is_initial.then_some(" (new referrals start here)")}</td>
                            <td>{if s.is_final { "Yes" } else { "No" }}</td>
                            <td>{standard}</td>
                            <td>{next}</td>
                            <td><a href=routes::with_query(&routes::with_query(routes::NEED_STATUSES, "coc", &coc), "edit", &s.id.to_string()) aria-label=format!("Edit {}", s.name)>"Edit"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p><a class="button" href=routes::with_query(&routes::with_query(routes::NEED_STATUSES, "coc", &list.coc), "edit", "new")>"Add a status"</a></p>
        {(editing.is_some() || adding).then(|| view! {
            <StatusForm coc=list.coc.clone() status=editing.clone() all=list.statuses.clone() reload saved history/>
        })}
    }
}

#[component]
fn StatusForm(
    coc: String,
    status: Option<NeedStatusView>,
    all: Vec<NeedStatusView>,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    history: HistoryResource,
) -> impl IntoView {
    let save = ServerAction::<SaveNeedStatus>::new();
    let error = form_error(save);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(_)) => saved.set(false),
        None => {}
    });
    let own = status.as_ref().map(|s| s.id);
    let initial_next: Vec<i64> = status.as_ref().map(|s| s.next.clone()).unwrap_or_default();
    let next = RwSignal::new(initial_next.clone());
    let next_value = move || {
        next.get()
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let initial_next_value = initial_next
        .iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let title = status
        .as_ref()
        .map(|s| format!("Edit “{}”", s.name))
        .unwrap_or_else(|| "Add a status".into());
    let s = status.clone().unwrap_or(NeedStatusView {
        id: 0,
        version: 0,
        name: String::new(),
        sort_order: all.iter().map(|s| s.sort_order).max().unwrap_or(0) + 1,
        is_initial: false,
        is_final: false,
        days_allowed: None,
        business_days: false,
        applies_on: None,
        next: Vec::new(),
    });
    view! {
        <section class="subsection" aria-labelledby="status-form-heading">
            <h2 id="status-form-heading">{title}</h2>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            <ErrorSummary error labels=LABELS/>
            <ActionForm action=save attr:novalidate=true>
                <input type="hidden" name=record_field("coc") value=coc.clone()/>
                <input type="hidden" name=record_field("id") value=s.id.to_string()/>
                <input type="hidden" name=record_field("version") value=s.version.to_string()/>
                <div class="field-row">
                    <div class="field">
                        <label for="name">"Status name"</label>
                        <input id="name" name=status_field("name") type="text" maxlength="200" value=s.name.clone() aria-describedby="name-error"/>
                        <FieldError error field="name"/>
                    </div>
                    <div class="field">
                        <label for="sort_order">"Order"</label>
                        <input id="sort_order" name=status_field("sort_order") type="number" min="1" max="999" value=s.sort_order.to_string() aria-describedby="sort_order-error"/>
                        <FieldError error field="sort_order"/>
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="days_allowed">"Days allowed"</label>
                        <input id="days_allowed" name=status_field("days_allowed") type="number" min="1" max="365"
                            value=s.days_allowed.map(|d| d.to_string()).unwrap_or_default() aria-describedby="days_allowed-hint days_allowed-error"/>
                        <p class="hint" id="days_allowed-hint">"Leave empty for a status without a timeliness standard."</p>
                        <FieldError error field="days_allowed"/>
                    </div>
                    <div class="field">
                        <label for="counting">"Count"</label>
                        <select id="counting" name=status_field("counting")>
                            <option value="business" selected=s.business_days>"Business days (Monday to Friday)"</option>
                            <option value="calendar" selected=!s.business_days>"Calendar days"</option>
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="is_final">"Final status"</label>
                    <select id="is_final" name=status_field("is_final")>
                        <option value="no" selected=!s.is_final>"No"</option>
                        <option value="yes" selected=s.is_final>"Yes: the referral is resolved"</option>
                    </select>
                </div>
                <fieldset>
                    <legend>"Allowed next statuses"</legend>
                    <input type="hidden" name=status_field("next") value=initial_next_value prop:value=next_value/>
                    {all.iter().filter(|o| Some(o.id) != own).map(|o| {
                        let id = o.id;
                        let checkbox_id = format!("next-{id}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=checkbox_id.clone() checked=initial_next.contains(&id)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        next.update(|n| { n.retain(|x| *x != id); if on { n.push(id); } });
                                    }/>
                                <label for=checkbox_id>{o.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                    <FieldError error field="next"/>
                </fieldset>
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save status" }}
                </button>
            </ActionForm>
            {own.map(|_| view! { <RecordHistory entries=history/> })}
        </section>
    }
}

const HOLIDAY_LABELS: FieldLabels = &[
    ("holiday_date", "Date"),
    ("holiday_name", "Holiday"),
    ("year", "Year"),
];

/// The CoC's holidays: days its business-day standards skip. Adding or removing one moves the
/// due dates of the open referrals whose count runs across it.
#[component]
fn Holidays(
    coc: String,
    holidays: Vec<HolidayView>,
    reload: RwSignal<u32>,
    /// "Saved." and the like: it outlives this section, which is rebuilt with the saved list.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let add = ServerAction::<AddHoliday>::new();
    let federal = ServerAction::<AddFederalHolidays>::new();
    let remove = ServerAction::<RemoveHoliday>::new();
    let saved = move |message: String| {
        notice.set(Some(message));
        reload.update(|n| *n += 1);
    };
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => saved("Saved.".into()),
        Some(Err(_)) => notice.set(None),
        None => {}
    });
    Effect::new(move |_| match federal.value().get() {
        Some(Ok(0)) => saved("The CoC already had every federal holiday of that year.".into()),
        Some(Ok(n)) => saved(format!("Saved. {n} federal holiday(s) added.")),
        Some(Err(_)) => notice.set(None),
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(_)) => saved("Saved.".into()),
        Some(Err(_)) => notice.set(None),
        None => {}
    });

    // The add form runs the shared rule as the person types.
    let existing: Vec<chrono::NaiveDate> = holidays.iter().map(|h| h.date).collect();
    let draft = RwSignal::new(HolidayDraft::default());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let validation = Memo::new(move |_| draft.with(|d| validate_holiday(d, &existing).err()));
    let add_error = shown_errors(validation, touched, form_error(add));
    let set = move |field: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| match field {
                "holiday_date" => d.date = value,
                _ => d.name = value,
            });
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            });
        })
    };
    let federal_error = form_error(federal);
    let remove_error = form_error(remove);
    let next_year = (today().year() + 1).to_string();
    let heading = format!("Holidays of {coc}");
    let caption = heading.clone();
    let (coc_for_rows, coc_for_add) = (coc.clone(), coc.clone());
    view! {
        <section class="subsection" aria-labelledby="holidays-heading">
            <h2 id="holidays-heading">{heading}</h2>
            <p class="hint">"Business-day standards skip these days as well as weekends. Adding or removing one moves the due dates of the open referrals whose count runs across it."</p>
            {move || notice.get().map(|message| view! { <p class="confirmation" role="status">{message}</p> })}
            <ErrorSummary error=remove_error/>
            {if holidays.is_empty() {
                view! { <p class="muted">"No holidays: business days are Monday to Friday."</p> }.into_any()
            } else {
                view! {
                    <table class="data compact">
                        <caption class="sr-only">{caption}</caption>
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Holiday"</th><th scope="col">"Added"</th>
                            <th scope="col"><span class="sr-only">"Remove"</span></th></tr></thead>
                        <tbody>{holidays.into_iter().map(|h| {
                            let date = format_date(h.date);
                            let label = format!("Remove {} ({date})", h.name);
                            let coc = coc_for_rows.clone();
                            view! {
                                <tr>
                                    <td>{format!("{} {date}", h.date.weekday())}</td>
                                    <td>{h.name.clone()}</td>
                                    <td>{format!("{} · {}", h.added_by, format_date(h.added_on))}</td>
                                    <td>
                                        <ActionForm action=remove attr:class="inline-form">
                                            <input type="hidden" name="coc" value=coc/>
                                            <input type="hidden" name="id" value=h.id.to_string()/>
                                            <input type="hidden" name="version" value=h.version.to_string()/>
                                            <button type="submit" class="secondary" aria-label=label disabled=move || remove.pending().get()>"Remove"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Add a holiday"</h3>
            <ErrorSummary error=add_error labels=HOLIDAY_LABELS/>
            <ActionForm action=add attr:novalidate=true>
                <input type="hidden" name="coc" value=coc_for_add/>
                <div class="field-row">
                    <TextField id="holiday_date" label="Date" kind="date" value=Signal::derive(move || draft.with(|d| d.date.clone()))
                        on_input=set("holiday_date") error=add_error hint="The weekday it is observed on."/>
                    <TextField id="holiday_name" label="Holiday" value=Signal::derive(move || draft.with(|d| d.name.clone()))
                        on_input=set("holiday_name") error=add_error maxlength=100/>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || add.pending().get() || validation.get().is_some()
                        aria-busy=move || add.pending().get().to_string() aria-describedby="holiday-reason">
                        {move || if add.pending().get() { "Adding…" } else { "Add holiday" }}
                    </button>
                    <span id="holiday-reason" class="hint" aria-live="polite">
                        {move || validation.get().filter(|_| !touched.with(Vec::is_empty))
                            .map(|e| unavailable_reason(&e, HOLIDAY_LABELS).replace("Save", "Add holiday"))}
                    </span>
                </div>
            </ActionForm>
            <ErrorSummary error=federal_error labels=HOLIDAY_LABELS/>
            <ActionForm action=federal attr:class="inline-form">
                <input type="hidden" name="coc" value=coc/>
                <div class="field">
                    <label for="year">"Year"</label>
                    <input id="year" name="year" type="number" min="2000" max="2099" value=next_year aria-describedby="year-error"/>
                    <FieldError error=federal_error field="year"/>
                </div>
                <button type="submit" class="secondary" disabled=move || federal.pending().get()
                    aria-busy=move || federal.pending().get().to_string()>
                    {move || if federal.pending().get() { "Adding…" } else { "Add the US federal holidays of this year" }}
                </button>
            </ActionForm>
        </section>
    }
}

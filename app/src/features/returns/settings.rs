//! The System Administrator's Return reasons page: each CoC's reasons for returning a referral,
//! their HUD 4.20.D mapping, default If Not Housed, Reason and Referral Need Status.

use super::api::{get_return_reasons, ReturnReasonRow, ReturnReasonSettings, SaveReturnReason};
use crate::domain::codes::ReferralResult;
use crate::domain::referral_return::{validate_return_reason, ReturnReasonDraft, REASON_LABEL_MAX};
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::{follow_saves, form_error, ErrorSummary, FieldLabels, Loaded};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const REASON_LABELS: FieldLabels = &[
    ("reason_label", "Reason"),
    ("reason_referral_result", "Referral Result"),
    ("reason_not_housed", "If Not Housed, Reason"),
    ("reason_need_status", "Referral Need Status"),
    ("reason_sort_order", "Order"),
];

/// The pick lists every reason's form offers: If Not Housed reasons and the CoC's statuses.
#[derive(Clone)]
struct PickLists {
    not_housed: Vec<(i64, String)>,
    statuses: Vec<(i64, String)>,
}

#[component]
pub fn ReturnReasonsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><ReturnReasons/></Guarded> }
}

#[component]
fn ReturnReasons() -> impl IntoView {
    let query = use_query_map();
    let reload = RwSignal::new(0u32);
    let saved = RwSignal::new(query.read_untracked().get("saved").is_some());
    let settings = Resource::new(
        move || (query.read().get("coc").unwrap_or_default(), reload.get()),
        |(coc, _)| get_return_reasons(coc),
    );
    view! {
        <section class="panel">
            <h1>"Return reasons"</h1>
            <p class="hint">"Why a housing provider may return a CE referral for a rematch. Each reason records its HUD Referral Result, a default If Not Housed, Reason and the Referral Need Status the referral moves to."</p>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            <Loaded resource=settings loading="Loading return reasons…"
                view=move |settings| view! { <ReasonList settings reload saved/> }/>
        </section>
    }
}

#[component]
fn ReasonList(
    settings: ReturnReasonSettings,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let ReturnReasonSettings {
        cocs,
        coc,
        reasons,
        not_housed,
        statuses,
    } = settings;
    let lists = StoredValue::new(PickLists {
        not_housed,
        statuses,
    });
    let next_order = reasons.iter().map(|r| r.sort_order).max().unwrap_or(0) + 1;
    view! {
        <form method="get" action=routes::RETURN_REASONS class="inline-form">
            <div class="field">
                <label for="coc">"CoC"</label>
                <select id="coc" name="coc">
                    {cocs.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=*code == coc>{format!("{code} {name}")}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="secondary">"Show"</button>
        </form>
        {reasons.into_iter().map(|row| view! {
            <ReasonForm coc=coc.clone() row=Some(row) next_order lists reload saved/>
        }).collect_view()}
        <h2>"Add a return reason"</h2>
        <ReasonForm coc=coc.clone() row=None next_order lists reload saved/>
    }
}

/// One reason's form (`row` None: a new one).
#[component]
fn ReasonForm(
    coc: String,
    row: Option<ReturnReasonRow>,
    next_order: i32,
    lists: StoredValue<PickLists>,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let action = ServerAction::<SaveReturnReason>::new();
    follow_saves(action, saved, reload);
    let server_error = form_error(action);
    let id = row.as_ref().map_or(0, |r| r.id);
    let version = row.as_ref().map_or(0, |r| r.version);
    let id_of = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let draft = RwSignal::new(match &row {
        Some(r) => ReturnReasonDraft {
            label: r.label.clone(),
            referral_result: r.referral_result.to_string(),
            not_housed_reason: id_of(r.not_housed_reason_id),
            need_status: id_of(r.need_status_id),
            sort_order: r.sort_order.to_string(),
            active: if r.active {
                "yes".into()
            } else {
                String::new()
            },
        },
        None => ReturnReasonDraft {
            referral_result: "2".into(),
            sort_order: next_order.to_string(),
            active: "yes".into(),
            ..Default::default()
        },
    });
    let initial = draft.get_untracked();
    let touched = RwSignal::new(false);
    let rule = Memo::new(move |_| {
        let d = draft.get();
        lists.with_value(|lists| {
            let not_housed: Vec<i64> = lists.not_housed.iter().map(|(id, _)| *id).collect();
            let statuses: Vec<i64> = lists.statuses.iter().map(|(id, _)| *id).collect();
            validate_return_reason(&d, &not_housed, &statuses).err()
        })
    });
    let shown = Signal::derive(move || {
        match (
            server_error.get(),
            touched.get().then(|| rule.get()).flatten(),
        ) {
            (Some(server), _) => Some(server),
            (None, Some(errors)) => Some(AppError::Invalid(errors)),
            (None, None) => None,
        }
    });
    let prefix = format!("reason-{id}");
    let key = move |name: &str| format!("{prefix}-{name}");
    let error_of = move |field: &'static str| {
        move || {
            shown.get().and_then(|e| {
                e.field_errors()
                    .and_then(|f| f.get(field).map(str::to_string))
            })
        }
    };
    let set = move |update: fn(&mut ReturnReasonDraft, String), value: String| {
        draft.update(|d| update(d, value));
        touched.set(true);
    };
    let legend = row
        .as_ref()
        .map(|r| r.label.clone())
        .unwrap_or_else(|| "New return reason".into());
    let PickLists {
        not_housed,
        statuses,
    } = lists.get_value();
    view! {
        <ActionForm action attr:novalidate=true>
            <fieldset>
                <legend>{legend}</legend>
                <ErrorSummary error=shown labels=REASON_LABELS/>
                <input type="hidden" name="target[coc]" value=coc/>
                <input type="hidden" name="target[id]" value=id.to_string()/>
                <input type="hidden" name="target[version]" value=version.to_string()/>
                <div class="field-row">
                    <div class="field">
                        <label for=key("label")>"Reason"</label>
                        <input id=key("label") name="reason[label]" maxlength=REASON_LABEL_MAX.to_string()
                            value=initial.label.clone()
                            on:input=move |ev| set(|d, v| d.label = v, event_target_value(&ev))/>
                        <p class="field-error">{error_of("reason_label")}</p>
                    </div>
                    <div class="field">
                        <label for=key("result")>"Referral Result"</label>
                        <select id=key("result") name="reason[referral_result]"
                            on:change=move |ev| set(|d, v| d.referral_result = v, event_target_value(&ev))>
                            {[ReferralResult::UnsuccessfulClientRejected, ReferralResult::UnsuccessfulProviderRejected].into_iter().map(|r| {
                                let code = r.code().to_string();
                                let selected = code == initial.referral_result;
                                view! { <option value=code selected=selected>{r.label()}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error">{error_of("reason_referral_result")}</p>
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for=key("not-housed")>"If Not Housed, Reason"</label>
                        <select id=key("not-housed") name="reason[not_housed_reason]"
                            on:change=move |ev| set(|d, v| d.not_housed_reason = v, event_target_value(&ev))>
                            <option value="">"(none)"</option>
                            {not_housed.into_iter().map(|(id, label)| {
                                let value = id.to_string();
                                let selected = value == initial.not_housed_reason;
                                view! { <option value=value selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error">{error_of("reason_not_housed")}</p>
                    </div>
                    <div class="field">
                        <label for=key("status")>"Referral Need Status"</label>
                        <select id=key("status") name="reason[need_status]"
                            on:change=move |ev| set(|d, v| d.need_status = v, event_target_value(&ev))>
                            <option value="">"(keep the current status)"</option>
                            {statuses.into_iter().map(|(id, name)| {
                                let value = id.to_string();
                                let selected = value == initial.need_status;
                                view! { <option value=value selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error">{error_of("reason_need_status")}</p>
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for=key("order")>"Order"</label>
                        <input id=key("order") name="reason[sort_order]" inputmode="numeric" value=initial.sort_order.clone()
                            on:input=move |ev| set(|d, v| d.sort_order = v, event_target_value(&ev))/>
                        <p class="field-error">{error_of("reason_sort_order")}</p>
                    </div>
                    <div class="check">
                        <input type="checkbox" id=key("active") name="reason[active]" value="yes" checked=initial.active == "yes"
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set(|d, v| d.active = v, if on { "yes".into() } else { String::new() });
                            }/>
                        <label for=key("active")>"Offered to providers"</label>
                    </div>
                </div>
                <button type="submit" disabled=move || action.pending().get() || rule.get().is_some()
                    aria-busy=move || action.pending().get().to_string()>
                    {move || if action.pending().get() { "Saving…" } else if id == 0 { "Add reason" } else { "Save reason" }}
                </button>
            </fieldset>
        </ActionForm>
    }
}

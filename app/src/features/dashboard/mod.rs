//! The home dashboard's Counts widget of incoming referrals, the list behind each number, and
//! timeliness at a glance.

pub mod api;

use crate::domain::dates::format_date;
use crate::features::auth::{use_auth, Guarded};
use crate::ui::ErrorPanel;
use api::{
    get_referral_counts, get_timeliness, incoming_referrals, IncomingFilter, IncomingRow,
    ReferralCounts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// How often the widget refreshes itself while the page is open.
pub const REFRESH_SECONDS: u64 = 30;

#[component]
pub fn CountsWidget() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    // Applying another Workgroup/Organization counts again at once.
    let applied = use_auth().apply.version();
    let counts = Resource::new(
        move || (tick.get(), applied.get()),
        |_| get_referral_counts(),
    );
    // Refresh on a short interval without a page reload (browser only; effects never run on the server).
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || tick.update(|n| *n += 1),
            std::time::Duration::from_secs(REFRESH_SECONDS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Counting incoming referrals…"</p> }>
            {move || Suspend::new(async move {
                match counts.await {
                    Ok(counts) => view! {
                        <section class="panel counts" aria-labelledby="counts-heading">
                            <h2 id="counts-heading">"Incoming referrals"</h2>
                            <CountsView counts/>
                            <p><button type="button" class="secondary" on:click=move |_| tick.update(|n| *n += 1)>"Refresh now"</button></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CountsView(counts: ReferralCounts) -> impl IntoView {
    let link = |filter: IncomingFilter| format!("/referrals/incoming?filter={}", filter.key());
    let has_overdue = counts.overdue > 0;
    view! {
        <h3 class="tiles-heading">"Coordinated Entry referrals"</h3>
        <ul class="count-tiles">
            <li><a href=link(IncomingFilter::Awaiting) aria-label=format!("{} awaiting acknowledgement", counts.awaiting)>
                <span class="count" data-testid="count-awaiting">{counts.awaiting}</span><span class="what">"Awaiting acknowledgement"</span></a></li>
            <li><a href=link(IncomingFilter::InProgress) aria-label=format!("{} in progress", counts.in_progress)>
                <span class="count" data-testid="count-in-progress">{counts.in_progress}</span><span class="what">"In progress"</span></a></li>
            <li class:alert=has_overdue><a href=link(IncomingFilter::Overdue) aria-label=format!("{} overdue", counts.overdue)>
                <span class="count" data-testid="count-overdue">{counts.overdue}</span><span class="what">"Overdue"</span></a></li>
            <li><a href=link(IncomingFilter::Resolved) aria-label=format!("{} resolved, last 30 days", counts.resolved_30)>
                <span class="count" data-testid="count-resolved">{counts.resolved_30}</span><span class="what">"Resolved, last 30 days"</span></a></li>
        </ul>
        <h3 class="tiles-heading">"Non-CE referrals"</h3>
        <ul class="count-tiles">
            <li><a href="/referrals/non-ce?filter=awaiting" aria-label=format!("{} non-CE referrals awaiting acknowledgement", counts.non_ce_awaiting)>
                <span class="count" data-testid="count-non-ce-awaiting">{counts.non_ce_awaiting}</span><span class="what">"Awaiting acknowledgement"</span></a></li>
            <li><a href="/referrals/non-ce?filter=in_progress" aria-label=format!("{} non-CE referrals in progress", counts.non_ce_in_progress)>
                <span class="count" data-testid="count-non-ce-in-progress">{counts.non_ce_in_progress}</span><span class="what">"In progress"</span></a></li>
        </ul>
        {(!counts.by_status.is_empty()).then(|| view! {
            <table class="data compact">
                <caption>"In progress by Referral Need Status"</caption>
                <tbody>
                    {counts.by_status.into_iter().map(|s| view! {
                        <tr>
                            <th scope="row">{s.name.clone()}</th>
                            <td><a href=format!("/referrals/incoming?filter=in_progress&status={}", s.status_id)
                                aria-label=format!("{} in {}", s.count, s.name)>{s.count}</a></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <p class="hint" aria-live="polite">"Last updated " {counts.as_of}</p>
    }
}

#[component]
pub fn TimelinessPanel() -> impl IntoView {
    let applied = use_auth().apply.version();
    let data = Resource::new(move || applied.get(), |_| get_timeliness());
    view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(t) => {
                            let days = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into());
                            view! {
                              <section class="panel" aria-labelledby="timeliness-heading">
                                <h2 id="timeliness-heading">"Timeliness at a glance (last 90 days)"</h2>
                                {if t.by_project.is_empty() {
                                    view! { <p class="muted">"No referrals to your projects in the last 90 days."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="data compact">
                                            <thead><tr><th scope="col">"Project"</th><th scope="col">"Referrals"</th>
                                                <th scope="col">"Median days to acknowledgement"</th><th scope="col">"Median days to result"</th></tr></thead>
                                            <tbody>{t.by_project.into_iter().map(|p| view! {
                                                <tr><td>{p.project}</td><td>{p.referrals}</td>
                                                    <td>{days(p.median_days_to_acknowledge)}</td><td>{days(p.median_days_to_result)}</td></tr>
                                            }).collect_view()}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                                <h3>"Data quality warnings"</h3>
                                {if t.warning_count == 0 {
                                    view! { <p class="muted">"None: every referral 7 or more days old has been acknowledged or resolved."</p> }.into_any()
                                } else {
                                    let all = format!("/referrals/incoming?filter={}", IncomingFilter::NoResponse.key());
                                    let shown = t.warnings.len() as i64;
                                    view! {
                                        <p>{format!("{} referral(s) with no acknowledgement and no result 7 or more days after the Event Date{}", t.warning_count,
                                            if shown < t.warning_count { format!("; the oldest {shown}:") } else { ":".to_string() })}</p>
                                        <IncomingTable rows=t.warnings/>
                                        {(shown < t.warning_count).then(|| view! {
                                            <p><a href=all>{format!("See all {} referrals without a response", t.warning_count)}</a></p>
                                        })}
                                    }.into_any()
                                }}
                              </section>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
    }
}

#[component]
pub fn IncomingPage() -> impl IntoView {
    view! { <Guarded needs_context=true><Incoming/></Guarded> }
}

#[component]
fn Incoming() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let rows = Resource::new(
        move || {
            (
                param("filter"),
                param("status"),
                param("page").parse::<i64>().unwrap_or(1),
            )
        },
        |(filter, status, page)| incoming_referrals(filter, status, page),
    );
    let page_link = move |page: i64| {
        format!(
            "/referrals/incoming?filter={}&status={}&page={page}",
            param("filter"),
            param("status")
        )
    };
    let title = move || IncomingFilter::parse(&param("filter")).title();
    view! {
        <section class="panel">
            <h1>{title}</h1>
            <p><a href="/">"Back to the dashboard"</a></p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(page) if page.rows.is_empty() => view! { <p role="status">"No referrals in this list."</p> }.into_any(),
                        Ok(page) => view! {
                            <IncomingTable rows=page.rows/>
                            <nav class="pager" aria-label="List pages">
                                {(page.page > 1).then(|| view! { <a href=page_link(page.page - 1) rel="prev">"Previous"</a> })}
                                <span>"Page " {page.page}</span>
                                {page.has_next.then(|| view! { <a href=page_link(page.page + 1) rel="next">"Next"</a> })}
                            </nav>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn IncomingTable(rows: Vec<IncomingRow>) -> impl IntoView {
    view! {
        <table class="data">
            <thead><tr>
                <th scope="col">"Client"</th><th scope="col">"Event Date"</th><th scope="col">"Event"</th>
                <th scope="col">"Referred to"</th><th scope="col">"Referral Need Status"</th>
                <th scope="col">"Days in status"</th><th scope="col">"Days since referral"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr class:overdue=r.overdue>
                        <td><a href=format!("/clients/{}/ce-events/{}", r.client_id, r.event_id)>{r.client_name}</a></td>
                        <td>{format_date(r.event_date)}</td>
                        <td>{r.event}</td>
                        <td>{r.project}</td>
                        <td>{r.need_status.unwrap_or_default()}{r.overdue.then(|| view! { " " <span class="badge overdue">"Overdue"</span> })}</td>
                        <td>{r.days_in_status.map(|d| d.to_string()).unwrap_or_default()}</td>
                        <td>{r.days_since_referral}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

//! The Priority List Manager's CoC view: the CoC's referrals by provider and project (awaiting
//! acknowledgement, overdue, returned, transfer requests) with median days to acknowledgement
//! and to result against the CoC's timeliness standards; every number opens its list.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::dates::format_date;
use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::Loaded;
use api::{
    coc_referral_list, coc_referrals, median_days, CocListFilter, CocListQuery, CocReferralPage,
    ProjectReferrals, ReferralsByProject,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CocReferralsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><CocOverview/></Guarded> }
}

#[component]
fn CocOverview() -> impl IntoView {
    let overview = Resource::new(|| (), |_| coc_referrals());
    view! {
        <section class="panel">
            <h1>"CoC referrals"</h1>
            <p class="hint">"Every provider's Coordinated Entry referrals in your CoC. Each number opens its list."</p>
            <Loaded resource=overview loading="Counting the CoC's referrals…" view=|overview| view! { <CocTable overview/> }/>
        </section>
    }
}

#[component]
fn CocTable(overview: ReferralsByProject) -> impl IntoView {
    let has_standard = overview.standard.is_some();
    let standard = match &overview.standard {
        Some(s) => format!(
            "Acknowledgement standard: within {} of the Event Date ({}); a return counts as the provider's answer. After that, each Referral Need Status has its own allowance: Overdue counts the open referrals past it. The last four columns cover the referrals of the last 90 days.",
            s.describe(),
            s.status
        ),
        None => "Your CoC's first Referral Need Status sets no number of days, so no referral is late to be acknowledged. The last four columns cover the referrals of the last 90 days.".to_string(),
    };
    if overview.projects.is_empty() {
        return view! {
            <p class="hint">{standard}</p>
            <p role="status">"No referrals in your CoC: none open, none in the last 90 days, no returns or transfer requests waiting."</p>
        }
        .into_any();
    }
    view! {
        <p class="hint" id="coc-standard">{standard}</p>
        <table class="data compact coc-view" aria-describedby="coc-standard">
            <caption>{format!("Referrals by provider and project, CoC {}", overview.coc)}</caption>
            <thead><tr>
                <th scope="col">"Provider · Project"</th>
                <th scope="col">"Awaiting acknowledgement"</th>
                <th scope="col">"Overdue"</th>
                <th scope="col">"Returned"</th>
                <th scope="col">"Transfer requests"</th>
                <th scope="col">"Referrals, last 90 days"</th>
                <th scope="col">"Acknowledged late"</th>
                <th scope="col">"Median days to acknowledgement"</th>
                <th scope="col">"Median days to result"</th>
            </tr></thead>
            <tbody>
                {overview.projects.into_iter().map(|row| view! { <ProjectRow row has_standard/> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A number that opens its list; a zero is plain text (there is nothing to open). The link's
/// name starts with the number it shows (WCAG 2.5.3) and names the project and its provider.
fn count_link(count: i64, href: String, what: &str, whose: &str) -> AnyView {
    if count == 0 {
        return view! { "0" }.into_any();
    }
    view! { <a href=href aria-label=format!("{count} {what}, {whose}")>{count}</a> }.into_any()
}

#[component]
fn ProjectRow(row: ProjectReferrals, has_standard: bool) -> impl IntoView {
    let id = row.project_id;
    let list = |filter: CocListFilter| routes::coc_referral_list(id, filter.key(), 1);
    let whose = format!("{} ({})", row.project, row.organization);
    let recent = list(CocListFilter::Recent);
    let median = |days: Option<f64>, what: &str| {
        let shown = median_days(days);
        if days.is_none() {
            return view! { {shown} }.into_any();
        }
        view! { <a href=recent.clone() aria-label=format!("{shown} median days to {what}, {whose}")>{shown.clone()}</a> }.into_any()
    };
    let late = if has_standard {
        count_link(
            row.acknowledged_late,
            list(CocListFilter::Late),
            "acknowledged late",
            &whose,
        )
    } else {
        view! { "—" }.into_any()
    };
    let queue = |address: &str| routes::with_query(address, "project", &id.to_string());
    let has_overdue = row.overdue > 0;
    view! {
        <tr class:overdue=has_overdue>
            <th scope="row"><span class="muted">{row.organization.clone()}</span>" · "{row.project.clone()}</th>
            <td>{count_link(row.awaiting, list(CocListFilter::Awaiting), "awaiting acknowledgement", &whose)}</td>
            <td>{count_link(row.overdue, list(CocListFilter::Overdue), "overdue", &whose)}</td>
            <td>{count_link(row.returned, queue(routes::RETURNED_REFERRALS), "returned", &whose)}</td>
            <td>{count_link(row.transfer_requests, queue(routes::TRANSFER_REQUESTS), "transfer requests", &whose)}</td>
            <td>{count_link(row.recent, recent.clone(), "referrals in the last 90 days", &whose)}</td>
            <td>{late}</td>
            <td>{median(row.median_days_to_acknowledge, "acknowledgement")}</td>
            <td>{median(row.median_days_to_result, "result")}</td>
        </tr>
    }
}

#[component]
pub fn CocReferralListPage() -> impl IntoView {
    view! { <Guarded needs_context=true><ReferralList/></Guarded> }
}

#[component]
fn ReferralList() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let filter = move || CocListFilter::parse(&param("filter"));
    let page = Resource::new(
        move || CocListQuery {
            project: param("project").parse().unwrap_or(0),
            filter: filter().key().to_string(),
            page: param("page").parse().unwrap_or(1),
        },
        coc_referral_list,
    );
    view! {
        <section class="panel">
            <h1>{move || filter().title()}</h1>
            <p><a href=routes::COC_REFERRALS>"Back to CoC referrals"</a></p>
            <Loaded resource=page loading="Loading referrals…" view=move |page| view! { <ListTable page filter=filter()/> }/>
        </section>
    }
}

#[component]
fn ListTable(page: CocReferralPage, filter: CocListFilter) -> impl IntoView {
    let heading = format!("{} · {}", page.organization, page.project);
    if page.rows.is_empty() {
        return view! { <h2>{heading}</h2><p role="status">"No referrals in this list."</p> }
            .into_any();
    }
    let (project_id, number, has_next) = (page.project_id, page.page, page.has_next);
    let link = move |to: i64| routes::coc_referral_list(project_id, filter.key(), to);
    view! {
        <h2>{heading.clone()}</h2>
        <table class="data">
            <caption class="sr-only">{format!("{}: {heading}", filter.title())}</caption>
            <thead><tr>
                <th scope="col">"Client"</th><th scope="col">"Event Date"</th>
                <th scope="col">"Referral Need Status"</th><th scope="col">"Date Referral Acknowledged"</th>
                <th scope="col">"Referral Result"</th><th scope="col">"Days since referral"</th>
            </tr></thead>
            <tbody>
                {page.rows.into_iter().map(|r| view! {
                    <tr class:overdue=r.overdue>
                        <td><a href=routes::ce_event(r.client_id, r.event_id)>{r.client_name}</a></td>
                        <td>{format_date(r.event_date)}</td>
                        <td>{r.need_status.unwrap_or_default()}{r.overdue.then(|| view! { " " <span class="badge overdue">"Overdue"</span> })}</td>
                        <td>{r.acknowledged_on.map(format_date).unwrap_or_default()}</td>
                        <td>{match (r.result, r.result_date) {
                            (Some(result), Some(on)) => format!("{result}, {}", format_date(on)),
                            _ => String::new(),
                        }}</td>
                        <td>{r.days_since_referral}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="List pages">
            {(number > 1).then(|| view! { <a href=link(number - 1) rel="prev">"Previous"</a> })}
            <span>"Page " {number}</span>
            {has_next.then(|| view! { <a href=link(number + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

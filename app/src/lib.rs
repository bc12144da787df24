//! Threshold: housing providers receive, acknowledge and resolve Coordinated Entry referrals,
//! enroll the client, and keep the HUD HMIS record right.
//!
//! Compiled twice: with `ssr` into the server, with `hydrate` into the browser's WASM.

#![recursion_limit = "256"]

pub mod domain;
pub mod error;
pub mod features;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;

use features::admin::{ProgramsPage, UserPage, UsersPage};
use features::auth::{use_auth, AuthState, ChangePasswordPage, SettingsSidebar, SignInPage};
use features::ce_events::{CeEventFormPage, CeEventsPage, PriorityListPage, ReferPage};
use features::clients::{ClientRecordPage, ClientsPage};
use features::dashboard::IncomingPage;
use features::enrollments::{EnrollmentPage, EnrollmentsPage};
use features::hmis_export::ExportPage;
use features::home::HomePage;
use features::intake::IntakePage;
use features::notifications::{NotificationBell, NotificationsPage};
use features::organizations::{OrganizationPage, OrganizationsPage, ProjectPage};
use features::referrals::{NonCeIncomingPage, ReferralOutcomePage, ReferralsPage};
use features::returns::{ReturnReasonsPage, ReturnedReferralsPage};
use features::settings::NeedStatusesPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // Release builds name the CSS, JS and WASM by content hash (cargo-leptos
                // `hash-files`), so browsers may keep them for good.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title text="Threshold"/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Everything inside the Router: the session actions are created here so that a form posted
/// without JavaScript finds its error in the URL (the Router provides it).
#[component]
fn Layout() -> impl IntoView {
    AuthState::provide();
    view! {
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader/>
            <main id="main">
                // Async: each page is sent whole, so it reads (and its forms work) without JavaScript.
                <Routes fallback=|| view! { <ui::PageNotFound/> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/change-password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients") view=ClientsPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id") view=ClientRecordPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/ce-events") view=CeEventsPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/ce-events/:event_id") view=CeEventFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/intake/:draft_id") view=IntakePage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/enrollments") view=EnrollmentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/enrollments/:enrollment_id") view=EnrollmentPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/referrals") view=ReferralsPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/referrals/:referral_id") view=ReferralOutcomePage ssr=SsrMode::Async/>
                    <Route path=path!("/referrals/non-ce") view=NonCeIncomingPage ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/refer") view=ReferPage ssr=SsrMode::Async/>
                    <Route path=path!("/priority-list") view=PriorityListPage ssr=SsrMode::Async/>
                    <Route path=path!("/returned-referrals") view=ReturnedReferralsPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/referrals/incoming") view=IncomingPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/:user_id") view=UserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organizations") view=OrganizationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organizations/:organization_id") view=OrganizationPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects/:project_id") view=ProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/programs") view=ProgramsPage ssr=SsrMode::Async/>
                    <Route path=path!("/export") view=ExportPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/need-statuses") view=NeedStatusesPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/return-reasons") view=ReturnReasonsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
    }
}

/// The header: brand, navigation, the active context, and the user icon (top right).
#[component]
fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Threshold"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    auth.session.await.ok().flatten().map(|info| {
                        let context = info.context.clone();
                        let in_ce_org = context.as_ref().is_some_and(|c| c.ce_for_coc.is_some());
                        let is_admin = context.as_ref().is_some_and(|c| c.workgroup == domain::access::Workgroup::SystemAdministrator);
                        view! {
                            <nav class="main-nav" aria-label="Main">
                                <a href="/">"Home"</a>
                                <a href="/clients">"Clients"</a>
                                {in_ce_org.then(|| view! { <a href="/priority-list">"Priority List"</a> })}
                                {in_ce_org.then(|| view! { <a href=routes::RETURNED_REFERRALS>"Returned referrals"</a> })}
                                {is_admin.then(|| view! { <a href="/settings/need-statuses">"Need statuses"</a> })}
                                {is_admin.then(|| view! { <a href=routes::RETURN_REASONS>"Return reasons"</a> })}
                                {is_admin.then(|| view! { <a href="/admin/users">"Users"</a> })}
                                {is_admin.then(|| view! { <a href="/admin/organizations">"Organizations"</a> })}
                                {(is_admin || in_ce_org).then(|| view! { <a href="/export">"HMIS CSV export"</a> })}
                            </nav>
                            <p class="active-context" data-testid="active-context">
                                {match context {
                                    Some(c) => format!("{} · {}", c.workgroup.label(), c.organization_name),
                                    None => "No Workgroup or Organization applied".to_string(),
                                }}
                            </p>
                            <SettingsSidebar info/>
                        }
                    })
                })}
            </Transition>
            // Outside the session's Suspend: a resource made inside it would not be carried to
            // the browser, and the page would not hydrate.
            <NotificationBell/>
        </header>
    }
}

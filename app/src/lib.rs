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
use features::coc_view::{CocReferralListPage, CocReferralsPage};
use features::dashboard::IncomingPage;
use features::enrollments::{EnrollmentPage, EnrollmentsPage};
use features::hmis_export::ExportPage;
use features::home::HomePage;
use features::intake::IntakePage;
use features::notifications::{NotificationBell, NotificationsPage, OutboxAdminPage};
use features::organizations::{OrganizationPage, OrganizationsPage, ProjectPage};
use features::referrals::{NonCeIncomingPage, ReferralOutcomePage, ReferralsPage};
use features::returns::{ReturnReasonsPage, ReturnedReferralsPage};
use features::settings::NeedStatusesPage;
use features::transfers::TransferRequestsPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

/// A page whose code the browser fetches the first time the user goes there
/// (`cargo leptos build --split`): the sign-in page and the dashboard come with the first
/// download, every other page in a chunk of its own (issue 16).
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages!(
    ChangePasswordRoute => ChangePasswordPage,
    ClientsRoute => ClientsPage,
    ClientRecordRoute => ClientRecordPage,
    CeEventsRoute => CeEventsPage,
    CeEventFormRoute => CeEventFormPage,
    IntakeRoute => IntakePage,
    EnrollmentsRoute => EnrollmentsPage,
    EnrollmentRoute => EnrollmentPage,
    ReferralsRoute => ReferralsPage,
    ReferralOutcomeRoute => ReferralOutcomePage,
    NonCeIncomingRoute => NonCeIncomingPage,
    ReferRoute => ReferPage,
    PriorityListRoute => PriorityListPage,
    ReturnedReferralsRoute => ReturnedReferralsPage,
    TransferRequestsRoute => TransferRequestsPage,
    CocReferralsRoute => CocReferralsPage,
    CocReferralListRoute => CocReferralListPage,
    NotificationsRoute => NotificationsPage,
    OutboxRoute => OutboxAdminPage,
    IncomingRoute => IncomingPage,
    UsersRoute => UsersPage,
    UserRoute => UserPage,
    OrganizationsRoute => OrganizationsPage,
    OrganizationRoute => OrganizationPage,
    ProjectRoute => ProjectPage,
    ProgramsRoute => ProgramsPage,
    ExportRoute => ExportPage,
    NeedStatusesRoute => NeedStatusesPage,
    ReturnReasonsRoute => ReturnReasonsPage,
);

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
                    <Route path=path!("/change-password") view={Lazy::<ChangePasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients") view={Lazy::<ClientsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id") view={Lazy::<ClientRecordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/ce-events") view={Lazy::<CeEventsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/ce-events/:event_id") view={Lazy::<CeEventFormRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/intake/:draft_id") view={Lazy::<IntakeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/enrollments") view={Lazy::<EnrollmentsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/enrollments/:enrollment_id") view={Lazy::<EnrollmentRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/referrals") view={Lazy::<ReferralsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/referrals/:referral_id") view={Lazy::<ReferralOutcomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/referrals/non-ce") view={Lazy::<NonCeIncomingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/refer") view={Lazy::<ReferRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/priority-list") view={Lazy::<PriorityListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/returned-referrals") view={Lazy::<ReturnedReferralsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/transfer-requests") view={Lazy::<TransferRequestsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/coc-referrals") view={Lazy::<CocReferralsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/coc-referrals/list") view={Lazy::<CocReferralListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/referrals/incoming") view={Lazy::<IncomingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/outbox") view={Lazy::<OutboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/:user_id") view={Lazy::<UserRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organizations") view={Lazy::<OrganizationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organizations/:organization_id") view={Lazy::<OrganizationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects/:project_id") view={Lazy::<ProjectRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/programs") view={Lazy::<ProgramsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/export") view={Lazy::<ExportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings/need-statuses") view={Lazy::<NeedStatusesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings/return-reasons") view={Lazy::<ReturnReasonsRoute>::new()} ssr=SsrMode::Async/>
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
                                {in_ce_org.then(|| view! { <a href=routes::TRANSFER_REQUESTS>"Transfer requests"</a> })}
                                {in_ce_org.then(|| view! { <a href=routes::COC_REFERRALS>"CoC referrals"</a> })}
                                {is_admin.then(|| view! { <a href=routes::NEED_STATUSES>"Need statuses"</a> })}
                                {is_admin.then(|| view! { <a href=routes::RETURN_REASONS>"Return reasons"</a> })}
                                {is_admin.then(|| view! { <a href="/admin/users">"Users"</a> })}
                                {is_admin.then(|| view! { <a href="/admin/organizations">"Organizations"</a> })}
                                {is_admin.then(|| view! { <a href=routes::OUTBOX>"E-mail outbox"</a> })}
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

//! Sign-in page, Settings sidebar (Workgroup / Organization / Location → Apply), change of
//! password, and the guard that keeps pages behind sign-in.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::access::{MembershipChoice, SessionInfo, Workgroup};
use crate::error::AppError;
use crate::ui::{
    form_error, interactive, ErrorPanel, ErrorSummary, FieldError, FieldLabels, NoContextNotice,
};
use api::{ApplyContext, ChangePassword, SignIn, SignOut};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Session state and the actions that change it, provided once by the App.
#[derive(Clone, Copy)]
pub struct AuthState {
    pub session: Resource<Result<Option<SessionInfo>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub apply: ServerAction<ApplyContext>,
    pub change_password: ServerAction<ChangePassword>,
}

impl AuthState {
    pub fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let apply = ServerAction::<ApplyContext>::new();
        let change_password = ServerAction::<ChangePassword>::new();
        let session = Resource::new(
            move || {
                (
                    sign_in.version().get(),
                    sign_out.version().get(),
                    apply.version().get(),
                    change_password.version().get(),
                )
            },
            |_| api::get_session(),
        );
        let state = AuthState {
            session,
            sign_in,
            sign_out,
            apply,
            change_password,
        };
        provide_context(state);
        state
    }
}

pub fn use_auth() -> AuthState {
    expect_context::<AuthState>()
}

const SIGN_IN_LABELS: FieldLabels = &[("username", "Username"), ("password", "Password")];

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let action = auth.sign_in;
    let error = form_error(action);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(auth.session.await, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })
            })}
        </Transition>
        <section class="panel narrow">
            <h1>"Sign in to Threshold"</h1>
            <ErrorSummary error labels=SIGN_IN_LABELS/>
            <ActionForm action=action>
                <div class="field">
                    <label for="username">"Username"</label>
                    <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
                        spellcheck="false" required aria-describedby="username-error"/>
                    <FieldError error field="username"/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        aria-describedby="password-error"/>
                    <FieldError error field="password"/>
                </div>
                <button type="submit" class="primary" aria-busy=move || action.pending().get().to_string()
                    disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </section>
    }
}

const PASSWORD_LABELS: FieldLabels = &[
    ("current_password", "Current password"),
    ("new_password", "New password"),
    ("confirm_password", "Confirm new password"),
];

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let auth = use_auth();
    let action = auth.change_password;
    let error = form_error(action);
    view! {
        <section class="panel narrow">
            <h1>"Change your password"</h1>
            <p>"Use at least 12 characters, mixing letters with digits or symbols."</p>
            <ErrorSummary error labels=PASSWORD_LABELS/>
            <ActionForm action=action>
                <div class="field">
                    <label for="current_password">"Current password"</label>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required aria-describedby="current_password-error"/>
                    <FieldError error field="current_password"/>
                </div>
                <div class="field">
                    <label for="new_password">"New password"</label>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required aria-describedby="new_password-error"/>
                    <FieldError error field="new_password"/>
                </div>
                <div class="field">
                    <label for="confirm_password">"Confirm new password"</label>
                    <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required aria-describedby="confirm_password-error"/>
                    <FieldError error field="confirm_password"/>
                </div>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Change password" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Keeps a page behind sign-in: redirects anonymous visitors to the sign-in page and users who
/// must change their password to that page. The page itself renders at once (its own server
/// functions refuse a missing session or context with a message), so its resources are
/// created exactly once.
#[component]
pub fn Guarded(children: Children, #[prop(optional)] needs_context: bool) -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.session.await {
                    Ok(Some(info)) if info.must_change_password => view! { <Redirect path="/change-password"/> }.into_any(),
                    Ok(Some(info)) if needs_context && info.context.is_none() => view! { <NoContextNotice/> }.into_any(),
                    Ok(Some(_)) => ().into_any(),
                    Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
        {children()}
    }
}

/// The header's right side once signed in: the active context and the user icon that opens the
/// Settings sidebar. A `<details>` element, so it opens by keyboard and without JavaScript.
#[component]
pub fn SettingsSidebar(info: SessionInfo) -> impl IntoView {
    let auth = use_auth();
    let apply = auth.apply;
    let error = form_error(apply);

    let memberships = info.memberships.clone();
    let mut workgroups: Vec<Workgroup> = memberships.iter().map(|m| m.workgroup).collect();
    workgroups.sort();
    workgroups.dedup();
    let applied = info.context.clone();
    let initial = applied
        .as_ref()
        .map(|c| c.workgroup)
        .or_else(|| workgroups.first().copied());
    let chosen = RwSignal::new(initial);
    let applied_org = applied.as_ref().map(|c| c.organization_id);
    let has_memberships = !memberships.is_empty();

    // Close the sidebar once a context is applied, so it does not cover the page.
    let details = NodeRef::<leptos::html::Details>::new();
    let icon = NodeRef::<leptos::html::Summary>::new();
    let close = move || {
        if let Some(details) = details.get() {
            let _ = details.remove_attribute("open");
        }
    };
    // The close button and Escape close it and give the focus back to the user icon.
    let close_to_icon = move || {
        close();
        if let Some(icon) = icon.get() {
            let _ = icon.focus();
        }
    };
    Effect::new(move |_| {
        if apply.version().get() > 0 {
            close();
        }
    });
    let initials = initials(&info.display_name);
    // The icon's name starts with what it shows (WCAG 2.5.3, label in name).
    let icon_name = format!("{initials}, user settings of {}", info.display_name);

    // With JavaScript the Organization list follows the chosen Workgroup. Without it (and until
    // the page hydrates, so the server's HTML and the first browser render agree) it lists every
    // Organization under its Workgroup, so any held pair can still be applied.
    let interactive = interactive();
    let applied_workgroup = applied.as_ref().map(|c| c.workgroup);
    let option = move |m: &MembershipChoice| {
        let selected =
            Some(m.organization_id) == applied_org && Some(m.workgroup) == applied_workgroup;
        view! {
            <option value=m.organization_id.to_string() selected=selected>{m.organization_name.clone()}</option>
        }
    };
    let groups = workgroups.clone();
    let organization_options = move || {
        if interactive.get() {
            memberships
                .iter()
                .filter(|m| Some(m.workgroup) == chosen.get())
                .map(option)
                .collect_view()
                .into_any()
        } else {
            groups
                .iter()
                .map(|w| {
                    view! {
                        <optgroup label=w.label()>
                            {memberships.iter().filter(|m| m.workgroup == *w).map(option).collect_view()}
                        </optgroup>
                    }
                })
                .collect_view()
                .into_any()
        }
    };

    view! {
        // Open when the last Apply was refused, so its message shows (also without JavaScript).
        <details class="settings" node_ref=details open=move || error.with(Option::is_some)
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close_to_icon();
                }
            }>
            <summary node_ref=icon aria-label=icon_name title="Settings">
                <span class="user-icon" aria-hidden="true">{initials}</span>
            </summary>
            <aside class="sidebar" aria-label="Settings">
                <div class="sidebar-head">
                    <h2>"Settings"</h2>
                    // A script's button: without JavaScript the user icon closes the sidebar.
                    <Show when=move || interactive.get()>
                        <button type="button" class="secondary" on:click=move |_| close_to_icon()>"Close"</button>
                    </Show>
                </div>
                <p class="muted">"Signed in as " {info.display_name.clone()} " (" {info.username.clone()} ")"</p>
                <ErrorSummary error/>
                {if has_memberships {
                    view! {
                        <ActionForm action=apply>
                            <div class="field">
                                <label for="workgroup">"Workgroup"</label>
                                <select id="workgroup" name="workgroup"
                                    on:change=move |ev| chosen.set(event_target_value(&ev).parse::<i16>().ok().and_then(Workgroup::from_code))>
                                    {workgroups.iter().map(|w| view! {
                                        <option value=w.code().to_string() selected=Some(*w) == initial>{w.label()}</option>
                                    }).collect_view()}
                                </select>
                                <FieldError error field="workgroup"/>
                            </div>
                            <div class="field">
                                <label for="organization_id">"Organization"</label>
                                <select id="organization_id" name="organization_id" aria-describedby="organization_id-error">
                                    {organization_options}
                                </select>
                                <FieldError error field="organization_id"/>
                            </div>
                            <div class="field">
                                <label for="location">"Location"</label>
                                <input id="location" type="text" disabled placeholder="Leave blank (auto-populated)"/>
                            </div>
                            <button type="submit" class="primary" disabled=move || apply.pending().get()>
                                {move || if apply.pending().get() { "Applying…" } else { "Apply" }}
                            </button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <p>"You hold no Workgroup in any Organization yet. Ask your HMIS administrator to add one."</p> }.into_any()
                }}
                // The sidebar closes as the page changes, so it does not cover it.
                <p><a href="/programs" on:click=move |_| close()>"Programs and their owning organizations"</a></p>
                <ActionForm action=auth.sign_out attr:class="sign-out">
                    <button type="submit" class="secondary">"Sign out"</button>
                </ActionForm>
            </aside>
        </details>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|part| part.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

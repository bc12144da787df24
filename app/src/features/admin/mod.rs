//! Administration: users and their Workgroup × Organization memberships (System
//! Administrators), and the programs list with their owning organizations (everyone).

pub mod api;

use crate::domain::access::Workgroup;
use crate::error::AppError;
use crate::features::audit::{history_resource, HistoryResource, RecordHistory};
use crate::features::auth::Guarded;
use crate::ui::{form_error, ErrorPanel, ErrorSummary, FieldError, FieldLabels};
use api::{
    get_user, list_programs, list_users, CreateUser, GrantMembership, ResetPassword,
    RevokeMembership, SetUserActive, UserDetail,
};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <UsersList/>
        </Guarded>
    }
}

const USER_LABELS: FieldLabels = &[
    ("username", "Username"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("initial_password", "Initial password"),
];

#[component]
fn UsersList() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let create = ServerAction::<CreateUser>::new();
    let error = form_error(create);
    view! {
        <section class="panel">
            <h1>"Users"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! {
                            <table class="data">
                                <thead><tr><th scope="col">"Username"</th><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Workgroups and Organizations"</th></tr></thead>
                                <tbody>{users.into_iter().map(|u| view! {
                                    <tr>
                                        <td><a href=format!("/admin/users/{}", u.id)>{u.username.clone()}</a></td>
                                        <td>{u.name.clone()}</td>
                                        <td>{if u.active { "Active" } else { "Deactivated" }}</td>
                                        <td>{u.memberships.join("; ")}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Create a user"</h2>
            <ActionForm action=create attr:novalidate=true>
                <ErrorSummary error labels=USER_LABELS/>
                <div class="field-row">
                    <div class="field"><label for="username">"Username"</label>
                        <input id="username" name="username" autocomplete="off" aria-describedby="username-error"/>
                        <FieldError error field="username"/></div>
                    <div class="field"><label for="initial_password">"Initial password"</label>
                        <input id="initial_password" name="initial_password" type="password" autocomplete="new-password" aria-describedby="initial_password-hint initial_password-error"/>
                        <p class="hint" id="initial_password-hint">"At least 12 characters, letters mixed with digits or symbols. The user must change it at first sign-in."</p>
                        <FieldError error field="initial_password"/></div>
                </div>
                <div class="field-row">
                    <div class="field"><label for="first_name">"First name"</label>
                        <input id="first_name" name="first_name" aria-describedby="first_name-error"/>
                        <FieldError error field="first_name"/></div>
                    <div class="field"><label for="last_name">"Last name"</label>
                        <input id="last_name" name="last_name" aria-describedby="last_name-error"/>
                        <FieldError error field="last_name"/></div>
                </div>
                <div class="field-row">
                    <div class="field"><label for="email">"Email"</label>
                        <input id="email" name="email" type="email" aria-describedby="email-error"/>
                        <FieldError error field="email"/></div>
                    <div class="field"><label for="phone">"Phone"</label>
                        <input id="phone" name="phone" type="tel" aria-describedby="phone-error"/>
                        <FieldError error field="phone"/></div>
                </div>
                <button type="submit" class="primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create user" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn UserPage() -> impl IntoView {
    view! {
        <Guarded needs_context=true>
            <UserLoader/>
        </Guarded>
    }
}

#[component]
fn UserLoader() -> impl IntoView {
    let params = use_params_map();
    let reload = RwSignal::new(0u32);
    // "Saved." outlives the page body, which is rebuilt with the saved values after each change.
    let saved = RwSignal::new(false);
    let user_id = move || {
        params
            .read()
            .get("user_id")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let history = history_resource("user", user_id, reload);
    let user = Resource::new(
        move || (user_id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_user(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the user…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(user) => view! { <UserAccess user reload saved history/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const GRANT_LABELS: FieldLabels = &[
    ("workgroup", "Workgroup"),
    ("organization", "Organization"),
    ("user", "User"),
];

#[component]
fn UserAccess(
    user: UserDetail,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    history: HistoryResource,
) -> impl IntoView {
    let grant = ServerAction::<GrantMembership>::new();
    let revoke = ServerAction::<RevokeMembership>::new();
    let active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let grant_error = form_error(grant);
    let revoke_error = form_error(revoke);
    let active_error = form_error(active);
    let reset_error = form_error(reset);
    Effect::new(move |_| {
        let done = [
            grant.value().get().map(|r| r.is_ok()),
            revoke.value().get().map(|r| r.is_ok()),
            active.value().get().map(|r| r.is_ok()),
            reset.value().get().map(|r| r.is_ok()),
        ];
        if done.contains(&Some(true)) {
            saved.set(true);
            reload.update(|n| *n += 1);
        } else if done.contains(&Some(false)) {
            saved.set(false);
        }
    });
    let other_error = Signal::derive(move || revoke_error.get().or(active_error.get()));
    let id = user.id;
    let version = user.version;
    view! {
        <section class="panel">
            <h1>{user.name.clone()}</h1>
            <p class="muted">{format!("Username {}", user.username)}</p>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            <ErrorSummary error=other_error labels=GRANT_LABELS/>
            <dl class="facts">
                <dt>"Status"</dt><dd>{if user.active { "Active" } else { "Deactivated" }}</dd>
                <dt>"Email"</dt><dd>{user.email.clone().unwrap_or_else(|| "Not recorded".into())}</dd>
                <dt>"Phone"</dt><dd>{user.phone.clone().unwrap_or_else(|| "Not recorded".into())}</dd>
                <dt>"Password"</dt><dd>{if user.must_change_password { "Must be changed at next sign-in" } else { "Set by the user" }}</dd>
            </dl>
            {user.is_self.then(|| view! { <p class="notice-inline" role="note">"This is your own record: another System Administrator changes your access."</p> })}
            <h2 id="memberships-heading">"Workgroups and Organizations"</h2>
            <table class="data compact" aria-labelledby="memberships-heading">
                <thead><tr><th scope="col">"Workgroup"</th><th scope="col">"Organization"</th><th scope="col"><span class="sr-only">"Revoke"</span></th></tr></thead>
                <tbody>{user.memberships.clone().into_iter().map(|m| view! {
                    <tr>
                        <td>{m.workgroup.clone()}</td><td>{m.organization.clone()}</td>
                        <td>
                            <ActionForm action=revoke>
                                <input type="hidden" name="user_id" value=id/>
                                <input type="hidden" name="membership_id" value=m.id/>
                                <button type="submit" class="secondary small" aria-label=format!("Revoke {} in {}", m.workgroup, m.organization)>"Revoke"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            <h3>"Grant a Workgroup in an Organization"</h3>
            <ActionForm action=grant attr:class="inline-form">
                <ErrorSummary error=grant_error labels=GRANT_LABELS/>
                <input type="hidden" name="user_id" value=id/>
                <div class="field"><label for="grant_workgroup">"Workgroup to grant"</label>
                    <select id="grant_workgroup" name="workgroup" aria-describedby="workgroup-error">
                        <option value="">"Choose…"</option>
                        {Workgroup::ALL.iter().map(|w| view! { <option value=w.code().to_string()>{w.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error=grant_error field="workgroup"/></div>
                <div class="field"><label for="grant_organization">"In Organization"</label>
                    <select id="grant_organization" name="organization_id" aria-describedby="organization-error">
                        <option value="">"Choose…"</option>
                        {user.organizations.clone().into_iter().map(|(oid, name)| view! { <option value=oid.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <FieldError error=grant_error field="organization"/></div>
                <button type="submit" class="primary" disabled=move || grant.pending().get()>"Grant"</button>
            </ActionForm>
            <h2>"Sign-in"</h2>
            <ActionForm action=reset attr:class="inline-form">
                <input type="hidden" name="user_id" value=id/>
                <input type="hidden" name="version" value=version/>
                <div class="field"><label for="new_password">"New initial password"</label>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" aria-describedby="new_password-error"/>
                    <FieldError error=reset_error field="new_password"/></div>
                <button type="submit" class="secondary" disabled=move || reset.pending().get()>"Reset password"</button>
            </ActionForm>
            {
                let is_active = user.active;
                let username = user.username.clone();
                let form = move |label: &'static str| view! {
                    <ActionForm action=active>
                        <input type="hidden" name="user_id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="active" value=(!is_active).to_string()/>
                        <button type="submit" class="secondary" disabled=move || active.pending().get()>
                            {move || if active.pending().get() { "Saving…" } else { label }}
                        </button>
                    </ActionForm>
                };
                // Deactivating signs the user out at once: it asks first (a <details>, so
                // also without JavaScript). Reactivating needs no second step.
                if is_active {
                    view! {
                        <details class="confirm">
                            <summary class="button secondary">"Deactivate user…"</summary>
                            <div class="confirm-body" role="group" aria-label="Confirm deactivation">
                                <p>{format!("Deactivate {username}? They are signed out at once and cannot sign in until a System Administrator reactivates them.")}</p>
                                {form("Yes, deactivate user")}
                            </div>
                        </details>
                    }.into_any()
                } else {
                    form("Reactivate user").into_any()
                }
            }
            <p><a href="/admin/users">"All users"</a></p>
            <RecordHistory entries=history/>
        </section>
    }
}

#[component]
pub fn ProgramsPage() -> impl IntoView {
    view! {
        <Guarded needs_context=false>
            <Programs/>
        </Guarded>
    }
}

#[component]
fn Programs() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let rows = Resource::new(q, list_programs);
    view! {
        <section class="panel">
            <h1>"Programs and their owning organizations"</h1>
            <p class="hint">"Apply a project's owning Organization in Settings before working on its referrals."</p>
            <Form method="GET" action="/programs" attr:role="search" attr:class="search-form">
                <div class="field">
                    <label for="q">"Project or organization"</label>
                    <input id="q" name="q" type="search" value=q prop:value=q/>
                </div>
                <button type="submit" class="primary">"Search"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p role="status">"No projects match."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="data">
                                <thead><tr><th scope="col">"Project"</th><th scope="col">"Project type"</th><th scope="col">"CoC"</th>
                                    <th scope="col">"Receives CE referrals"</th><th scope="col">"Owning organization"</th></tr></thead>
                                <tbody>{rows.into_iter().map(|r| view! {
                                    <tr><td>{r.project}</td><td>{r.project_type}</td><td>{r.coc}</td>
                                        <td>{if r.receives_ce_referrals { "Yes" } else { "No" }}</td><td>{r.organization}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

//! Administration of organizations, Continua of Care, projects and CE participation (System
//! Administrators). The forms run the shared HUD rules (`domain::project`) as the user types;
//! every record shows its change history.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::codes::{GeographyType, HousingType, ProjectType, RrhSubType, TargetPopulation};
use crate::domain::project::{
    validate_ce_participation, validate_organization, validate_project, CeParticipationDraft,
    OrganizationDraft, ProjectDraft, ProjectSettings,
};
use crate::error::AppError;
use crate::features::audit::{history_resource, HistoryResource, RecordHistory};
use crate::features::auth::Guarded;
use crate::ui::{
    form_error, shown_errors, today, unavailable_reason, ErrorPanel, ErrorSummary, FieldError,
    FieldLabels, SelectField, TextField,
};
use api::{
    get_organization, get_project, list_organizations, AddCoc, DeleteProject, OrganizationForm,
    ParticipationRow, ProjectForm, SaveCeParticipation, SaveOrganization, SaveProject,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A route id: a number, or "new" (0).
fn route_id(key: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params.with(|p| match p.get(key).as_deref() {
            Some("new") => Some(0),
            Some(raw) => raw.parse::<i64>().ok(),
            None => None,
        })
    }
}

fn saved_in_url() -> bool {
    use_query_map().read_untracked().get("saved").is_some()
}

/// Reloads a record page after each successful save of `action`, and keeps "Saved." up.
fn reload_after<S>(action: ServerAction<S>, reload: RwSignal<u32>, saved: RwSignal<bool>)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(_)) => saved.set(false),
        None => {}
    });
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> i16,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

fn no_yes() -> Vec<(String, String)> {
    vec![("0".into(), "No".into()), ("1".into(), "Yes".into())]
}

// ---- Organizations list and Continua of Care ----------------------------------------------

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    view! { <Guarded needs_context=true><Organizations/></Guarded> }
}

const COC_LABELS: FieldLabels = &[("coc_code", "CoC code"), ("coc_name", "CoC name")];

#[component]
fn Organizations() -> impl IntoView {
    let add_coc = ServerAction::<AddCoc>::new();
    let coc_error = form_error(add_coc);
    let list = Resource::new(move || add_coc.version().get(), |_| list_organizations());
    let saved = saved_in_url();
    view! {
        <section class="panel">
            <h1>"Organizations"</h1>
            {saved.then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            <p><a class="button" href="/admin/organizations/new">"Add an organization"</a></p>
            <Transition fallback=|| view! { <p class="loading">"Loading organizations…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! {
                            <table class="data">
                                <thead><tr><th scope="col">"Organization"</th><th scope="col">"Victim service provider"</th>
                                    <th scope="col">"Coordinated Entry organization of"</th><th scope="col">"Projects"</th><th scope="col">"Users"</th></tr></thead>
                                <tbody>{list.organizations.into_iter().map(|o| view! {
                                    <tr>
                                        <td><a href=format!("/admin/organizations/{}", o.id)>{o.name.clone()}</a></td>
                                        <td>{if o.victim_service_provider { "Yes" } else { "No" }}</td>
                                        <td>{o.ce_for_coc.unwrap_or_default()}</td>
                                        <td>{o.projects}</td>
                                        <td>{o.members}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                            <h2 id="cocs-heading">"Continua of Care"</h2>
                            <table class="data compact" aria-labelledby="cocs-heading">
                                <thead><tr><th scope="col">"CoC code"</th><th scope="col">"Name"</th></tr></thead>
                                <tbody>{list.cocs.into_iter().map(|(code, name)| view! { <tr><td>{code}</td><td>{name}</td></tr> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Add a Continuum of Care"</h3>
            <p class="hint">"A new CoC starts with the default Referral Need Statuses, which you can change under Need statuses."</p>
            <ActionForm action=add_coc attr:class="inline-form" attr:novalidate=true>
                <ErrorSummary error=coc_error labels=COC_LABELS/>
                <div class="field"><label for="coc_code">"CoC code"</label>
                    <input id="coc_code" name="code" maxlength="6" placeholder="MN-500" aria-describedby="coc_code-error"/>
                    <FieldError error=coc_error field="coc_code"/></div>
                <div class="field"><label for="coc_name">"CoC name"</label>
                    <input id="coc_name" name="name" maxlength="200" aria-describedby="coc_name-error"/>
                    <FieldError error=coc_error field="coc_name"/></div>
                <button type="submit" class="secondary" disabled=move || add_coc.pending().get()>
                    {move || if add_coc.pending().get() { "Adding…" } else { "Add CoC" }}
                </button>
            </ActionForm>
        </section>
    }
}

// ---- One organization ---------------------------------------------------------------------

#[component]
pub fn OrganizationPage() -> impl IntoView {
    view! { <Guarded needs_context=true><OrganizationLoader/></Guarded> }
}

#[component]
fn OrganizationLoader() -> impl IntoView {
    let id = route_id("organization_id");
    let reload = RwSignal::new(0u32);
    let saved = RwSignal::new(saved_in_url());
    let history = history_resource("organization", id, reload);
    let form = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_organization(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the organization…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <OrganizationEditor form reload saved history/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const ORGANIZATION_LABELS: FieldLabels = &[
    ("name", "Organization Name"),
    ("common_name", "Organization Common Name"),
    ("victim_service_provider", "Victim Service Provider"),
    ("ce_for_coc", "Coordinated Entry organization of"),
];

#[component]
fn OrganizationEditor(
    form: OrganizationForm,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    history: HistoryResource,
) -> impl IntoView {
    let save = ServerAction::<SaveOrganization>::new();
    reload_after(save, reload, saved);
    let server_error = form_error(save);
    let draft = RwSignal::new(form.draft.clone());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let facts = StoredValue::new(form.facts.clone());
    let validation =
        Memo::new(move |_| draft.with(|d| facts.with_value(|f| validate_organization(d, f).err())));
    let shown = shown_errors(validation, touched, server_error);
    let set = move |field: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| match field {
                "name" => d.name = value,
                "common_name" => d.common_name = value,
                "victim_service_provider" => d.victim_service_provider = value,
                _ => d.ce_for_coc = value,
            });
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            });
        })
    };
    let value = move |f: fn(&OrganizationDraft) -> String| Signal::derive(move || draft.with(f));
    let is_new = form.id == 0;
    let id = form.id;
    let title = if is_new {
        "Add an organization".to_string()
    } else {
        form.draft.name.clone()
    };
    let cocs: Vec<(String, String)> = form
        .cocs
        .iter()
        .map(|(c, n)| (c.clone(), format!("{c} {n}")))
        .collect();
    view! {
        <section class="panel">
            <p class="breadcrumb"><a href="/admin/organizations">"Organizations"</a></p>
            <h1>{title}</h1>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            <ErrorSummary error=shown labels=ORGANIZATION_LABELS/>
            <ActionForm action=save attr:novalidate=true>
                <input type="hidden" name="organization_id" value=form.id.to_string()/>
                <input type="hidden" name="version" value=form.version.to_string()/>
                <div class="field-row">
                    <TextField id="name" label="Organization Name" value=value(|d| d.name.clone()) on_input=set("name") error=shown maxlength=200/>
                    <TextField id="common_name" label="Organization Common Name" value=value(|d| d.common_name.clone()) on_input=set("common_name") error=shown maxlength=200
                        hint="Optional: the name people use day to day."/>
                </div>
                <div class="field-row">
                    <SelectField id="victim_service_provider" label="Victim Service Provider" value=value(|d| d.victim_service_provider.clone())
                        on_change=set("victim_service_provider") error=shown options=no_yes()/>
                    <SelectField id="ce_for_coc" label="Coordinated Entry organization of" value=value(|d| d.ce_for_coc.clone())
                        on_change=set("ce_for_coc") error=shown options=cocs empty="(not a Coordinated Entry organization)"
                        hint="Users working in a CoC's Coordinated Entry organization see its CE clients, manage the Priority List and exit clients from CE."/>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get() || validation.get().is_some()
                        aria-busy=move || save.pending().get().to_string() aria-describedby="save-reason">
                        {move || match (save.pending().get(), is_new) {
                            (true, _) => "Saving…",
                            (false, true) => "Create organization",
                            (false, false) => "Save",
                        }}
                    </button>
                    <span id="save-reason" class="hint" aria-live="polite">
                        {move || validation.get().map(|e| unavailable_reason(&e, ORGANIZATION_LABELS))}
                    </span>
                </div>
            </ActionForm>
            {(!is_new).then(|| view! {
                <h2 id="projects-heading">"Projects"</h2>
                {if form.projects.is_empty() {
                    view! { <p class="muted">"No projects yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="data" aria-labelledby="projects-heading">
                            <thead><tr><th scope="col">"Project"</th><th scope="col">"Project type"</th><th scope="col">"CoC"</th>
                                <th scope="col">"Operating"</th><th scope="col">"CE access point"</th><th scope="col">"Receives CE referrals"</th></tr></thead>
                            <tbody>{form.projects.clone().into_iter().map(|p| view! {
                                <tr>
                                    <td><a href=format!("/admin/projects/{}", p.id)>{p.name.clone()}</a></td>
                                    <td>{p.project_type.clone()}</td><td>{p.coc.clone()}</td><td>{p.operating.clone()}</td>
                                    <td>{if p.access_point { "Yes" } else { "No" }}</td>
                                    <td>{if p.receives_referrals { "Yes" } else { "No" }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
                <p><a class="button" href=format!("/admin/projects/new?organization={id}")>"Add a project"</a></p>
                <RecordHistory entries=history/>
            })}
        </section>
    }
}

// ---- One project --------------------------------------------------------------------------

#[component]
pub fn ProjectPage() -> impl IntoView {
    view! { <Guarded needs_context=true><ProjectLoader/></Guarded> }
}

#[component]
fn ProjectLoader() -> impl IntoView {
    let id = route_id("project_id");
    let query = use_query_map();
    let reload = RwSignal::new(0u32);
    let saved = RwSignal::new(saved_in_url());
    let history = history_resource("project", id, reload);
    let form = Resource::new(
        move || {
            let organization = query.with(|q| {
                q.get("organization")
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0)
            });
            (id(), organization, reload.get())
        },
        |(id, organization, _)| async move {
            match id {
                Some(id) => get_project(id, organization).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the project…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <ProjectEditor form reload saved history/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const PROJECT_LABELS: FieldLabels = &[
    ("organization_id", "Organization"),
    ("name", "Project Name"),
    ("common_name", "Project Common Name"),
    ("operating_start_date", "Operating Start Date"),
    ("operating_end_date", "Operating End Date"),
    ("continuum_project", "Continuum Project"),
    ("project_type", "Project Type"),
    ("rrh_sub_type", "RRH Subtype"),
    ("housing_type", "Housing Type"),
    (
        "residential_affiliation",
        "Affiliated with a residential project",
    ),
    ("target_population", "Target Population"),
    ("coc_code", "Continuum of Care"),
    ("geocode", "Geocode"),
    ("address1", "Address 1"),
    ("address2", "Address 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("geography_type", "Geography Type"),
    ("project", "Project"),
];

#[component]
fn ProjectEditor(
    form: ProjectForm,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    history: HistoryResource,
) -> impl IntoView {
    let save = ServerAction::<SaveProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    reload_after(save, reload, saved);
    let server_error = form_error(save);
    let delete_error = form_error(delete);
    let draft = RwSignal::new(form.draft.clone());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let facts = StoredValue::new(form.facts.clone());
    let validation = Memo::new(move |_| {
        draft.with(|d| facts.with_value(|f| validate_project(d, f, today()).err()))
    });
    let shown = shown_errors(validation, touched, server_error);
    let set = move |field: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| {
                let slot = match field {
                    "organization_id" => &mut d.organization_id,
                    "name" => &mut d.name,
                    "common_name" => &mut d.common_name,
                    "operating_start_date" => &mut d.operating_start_date,
                    "operating_end_date" => &mut d.operating_end_date,
                    "continuum_project" => &mut d.continuum_project,
                    "project_type" => &mut d.project_type,
                    "rrh_sub_type" => &mut d.rrh_sub_type,
                    "housing_type" => &mut d.housing_type,
                    "residential_affiliation" => &mut d.residential_affiliation,
                    "target_population" => &mut d.target_population,
                    "coc_code" => &mut d.coc_code,
                    "geocode" => &mut d.geocode,
                    "address1" => &mut d.address1,
                    "address2" => &mut d.address2,
                    "city" => &mut d.city,
                    "state" => &mut d.state,
                    "zip" => &mut d.zip,
                    _ => &mut d.geography_type,
                };
                *slot = value;
            });
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            });
        })
    };
    let value = move |f: fn(&ProjectDraft) -> String| Signal::derive(move || draft.with(f));
    // Which dependent questions apply to the chosen type (2.02.A, 2.02.D, 2.02.B).
    let applies = Memo::new(move |_| {
        draft.with(|d| {
            let t = d
                .project_type
                .parse::<i16>()
                .ok()
                .and_then(ProjectType::from_code);
            let rrh = d
                .rrh_sub_type
                .parse::<i16>()
                .ok()
                .and_then(RrhSubType::from_code);
            ProjectSettings::shows(t, rrh)
        })
    });
    let is_new = form.id == 0;
    let id = form.id;
    let version = form.version;
    let organization_id = form.draft.organization_id.clone();
    let title = if is_new {
        "Add a project".to_string()
    } else {
        form.draft.name.clone()
    };
    let organizations: Vec<(String, String)> = form
        .facts
        .organizations
        .iter()
        .map(|(i, n)| (i.to_string(), n.clone()))
        .collect();
    let cocs: Vec<(String, String)> = form
        .facts
        .cocs
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    let enrolled = form.facts.enrollments.count;
    view! {
        <section class="panel">
            <p class="breadcrumb"><a href="/admin/organizations">"Organizations"</a> " › "
                <a href=format!("/admin/organizations/{organization_id}")>{form.organization_name.clone()}</a></p>
            <h1>{title}</h1>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
            {(enrolled > 0).then(|| view! {
                <p class="notice-inline" role="note">{format!("{enrolled} enrollment(s) in this project: its Project Type and CoC no longer change, and it is ended with an Operating End Date rather than deleted.")}</p>
            })}
            <ErrorSummary error=shown labels=PROJECT_LABELS/>
            <ActionForm action=save attr:novalidate=true attr:class="project-form">
                <input type="hidden" name="project_id" value=id.to_string()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <fieldset>
                    <legend>"Project information (2.02)"</legend>
                    <SelectField id="organization_id" label="Organization" value=value(|d| d.organization_id.clone())
                        on_change=set("organization_id") error=shown options=organizations/>
                    <div class="field-row">
                        <TextField id="name" label="Project Name" value=value(|d| d.name.clone()) on_input=set("name") error=shown maxlength=200/>
                        <TextField id="common_name" label="Project Common Name" value=value(|d| d.common_name.clone()) on_input=set("common_name") error=shown maxlength=200/>
                    </div>
                    <div class="field-row">
                        <TextField id="operating_start_date" label="Operating Start Date" kind="date" value=value(|d| d.operating_start_date.clone())
                            on_input=set("operating_start_date") error=shown/>
                        <TextField id="operating_end_date" label="Operating End Date" kind="date" value=value(|d| d.operating_end_date.clone())
                            on_input=set("operating_end_date") error=shown hint="Enter it to end the project."/>
                    </div>
                    <div class="field-row">
                        <SelectField id="continuum_project" label="Continuum Project" value=value(|d| d.continuum_project.clone())
                            on_change=set("continuum_project") error=shown options=no_yes()/>
                        <SelectField id="project_type" label="Project Type" value=value(|d| d.project_type.clone())
                            on_change=set("project_type") error=shown empty="Choose…"
                            options=options(ProjectType::ALL, ProjectType::code, ProjectType::label)/>
                    </div>
                    <div class="field-row">
                        <div class:hidden=move || !applies.get().0>
                            <SelectField id="rrh_sub_type" label="RRH Subtype" value=value(|d| d.rrh_sub_type.clone())
                                on_change=set("rrh_sub_type") error=shown empty="Choose…"
                                options=options(RrhSubType::ALL, RrhSubType::code, RrhSubType::label)/>
                        </div>
                        <div class:hidden=move || !applies.get().1>
                            <SelectField id="housing_type" label="Housing Type" value=value(|d| d.housing_type.clone())
                                on_change=set("housing_type") error=shown empty="Choose…"
                                options=options(HousingType::ALL, HousingType::code, HousingType::label)/>
                        </div>
                        <div class:hidden=move || !applies.get().2>
                            <SelectField id="residential_affiliation" label="Affiliated with a residential project" value=value(|d| d.residential_affiliation.clone())
                                on_change=set("residential_affiliation") error=shown empty="Choose…" options=no_yes()/>
                        </div>
                    </div>
                    <SelectField id="target_population" label="Target Population" value=value(|d| d.target_population.clone())
                        on_change=set("target_population") error=shown empty="(not recorded)"
                        options=options(TargetPopulation::ALL, TargetPopulation::code, TargetPopulation::label)/>
                </fieldset>
                <fieldset>
                    <legend>"Continuum of Care information (2.03)"</legend>
                    <div class="field-row">
                        <SelectField id="coc_code" label="Continuum of Care" value=value(|d| d.coc_code.clone())
                            on_change=set("coc_code") error=shown empty="Choose…" options=cocs/>
                        <TextField id="geocode" label="Geocode" value=value(|d| d.geocode.clone()) on_input=set("geocode") error=shown maxlength=6
                            hint="HUD's six-digit geographic code for where the project operates."/>
                        <SelectField id="geography_type" label="Geography Type" value=value(|d| d.geography_type.clone())
                            on_change=set("geography_type") error=shown empty="(not recorded)"
                            options=options(GeographyType::ALL, GeographyType::code, GeographyType::label)/>
                    </div>
                    <div class="field-row">
                        <TextField id="address1" label="Address 1" value=value(|d| d.address1.clone()) on_input=set("address1") error=shown maxlength=100/>
                        <TextField id="address2" label="Address 2" value=value(|d| d.address2.clone()) on_input=set("address2") error=shown maxlength=100/>
                    </div>
                    <div class="field-row">
                        <TextField id="city" label="City" value=value(|d| d.city.clone()) on_input=set("city") error=shown maxlength=50/>
                        <TextField id="state" label="State" value=value(|d| d.state.clone()) on_input=set("state") error=shown maxlength=2/>
                        <TextField id="zip" label="ZIP" value=value(|d| d.zip.clone()) on_input=set("zip") error=shown maxlength=5/>
                    </div>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get() || validation.get().is_some()
                        aria-busy=move || save.pending().get().to_string() aria-describedby="save-reason">
                        {move || match (save.pending().get(), is_new) {
                            (true, _) => "Saving…",
                            (false, true) => "Create project",
                            (false, false) => "Save",
                        }}
                    </button>
                    <span id="save-reason" class="hint" aria-live="polite">
                        {move || validation.get().map(|e| unavailable_reason(&e, PROJECT_LABELS))}
                    </span>
                </div>
            </ActionForm>
            {(!is_new).then(|| view! {
                <Participation project_id=id rows=form.participation.clone() operating=(form.draft.operating_start_date.clone(), form.draft.operating_end_date.clone()) reload saved/>
                <section class="subsection" aria-labelledby="delete-heading">
                    <h2 id="delete-heading">"Delete the project"</h2>
                    {match form.deletion_refused.clone() {
                        Some(reason) => view! { <p class="muted">{reason}</p> }.into_any(),
                        None => view! {
                            <ErrorSummary error=delete_error labels=PROJECT_LABELS/>
                            <p class="hint">"Only a project that never had enrollments or referrals can be deleted."</p>
                            <ActionForm action=delete>
                                <input type="hidden" name="project_id" value=id.to_string()/>
                                <input type="hidden" name="version" value=version.to_string()/>
                                <button type="submit" class="danger" disabled=move || delete.pending().get()>
                                    {move || if delete.pending().get() { "Deleting…" } else { "Delete project" }}
                                </button>
                            </ActionForm>
                        }.into_any(),
                    }}
                </section>
                <RecordHistory entries=history/>
            })}
        </section>
    }
}

const PARTICIPATION_LABELS: FieldLabels = &[
    ("start_date", "CE Participation Status Start Date"),
    ("end_date", "CE Participation Status End Date"),
];

/// 2.09 CE Participation: the project's records, one open for editing (`?edit=ID` or `new`).
#[component]
fn Participation(
    project_id: i64,
    rows: Vec<ParticipationRow>,
    operating: (String, String),
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let query = use_query_map();
    let editing = move || query.with(|q| q.get("edit"));
    let spans: Vec<(i64, chrono::NaiveDate, Option<chrono::NaiveDate>)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.id,
                r.draft.start_date.parse().ok()?,
                r.draft.end_date.parse().ok(),
            ))
        })
        .collect();
    let operating = (
        operating.0.parse().unwrap_or(chrono::NaiveDate::MIN),
        operating.1.parse().ok(),
    );
    let rows_for_form = rows.clone();
    view! {
        <section class="subsection" aria-labelledby="participation-heading">
            <h2 id="participation-heading">"CE Participation (2.09)"</h2>
            <p class="hint">"When the project is a Coordinated Entry access point, and when it receives CE referrals. Records may not overlap."</p>
            {if rows.is_empty() {
                view! { <p class="muted">"Not participating in Coordinated Entry."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {rows.into_iter().map(|r| view! {
                            <li>{r.summary.clone()} " "
                                <a href=format!("/admin/projects/{project_id}?edit={}", r.id) aria-label=format!("Edit CE participation {}", r.summary)>"Edit"</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p><a class="button secondary" href=format!("/admin/projects/{project_id}?edit=new")>"Add a CE participation record"</a></p>
            {move || {
                let edit = editing()?;
                let record = if edit == "new" {
                    None
                } else {
                    Some(rows_for_form.iter().find(|r| r.id.to_string() == edit)?.clone())
                };
                let others = spans.iter().filter(|(id, _, _)| Some(*id) != record.as_ref().map(|r| r.id)).map(|(_, s, e)| (*s, *e)).collect::<Vec<_>>();
                Some(view! { <ParticipationForm project_id record operating others reload saved/> })
            }}
        </section>
    }
}

#[component]
fn ParticipationForm(
    project_id: i64,
    record: Option<ParticipationRow>,
    operating: (chrono::NaiveDate, Option<chrono::NaiveDate>),
    others: Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)>,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let save = ServerAction::<SaveCeParticipation>::new();
    reload_after(save, reload, saved);
    // Saved: close the form (the list above shows the record).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate(
                &format!("/admin/projects/{project_id}"),
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let server_error = form_error(save);
    let initial =
        record
            .as_ref()
            .map(|r| r.draft.clone())
            .unwrap_or_else(|| CeParticipationDraft {
                receives_referrals: "1".into(),
                ..Default::default()
            });
    let draft = RwSignal::new(initial.clone());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let others = StoredValue::new(others);
    let validation = Memo::new(move |_| {
        draft.with(|d| others.with_value(|o| validate_ce_participation(d, operating, o).err()))
    });
    let shown = shown_errors(validation, touched, server_error);
    let set = move |field: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| match field {
                "start_date" => d.start_date = value,
                _ => d.end_date = value,
            });
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            });
        })
    };
    let flag = move |field: &'static str, on: bool| {
        draft.update(|d| {
            let v = if on { "1".to_string() } else { String::new() };
            match field {
                "access_point" => d.access_point = v,
                "prevention_assessment" => d.prevention_assessment = v,
                "crisis_assessment" => d.crisis_assessment = v,
                "housing_assessment" => d.housing_assessment = v,
                "direct_services" => d.direct_services = v,
                _ => d.receives_referrals = v,
            }
        })
    };
    let checkbox = move |field: &'static str, label: &'static str, checked: bool| {
        view! {
            <div class="check">
                <input type="checkbox" id=field name=field value="1" checked=checked
                    on:change=move |ev| flag(field, event_target_checked(&ev))/>
                <label for=field>{label}</label>
            </div>
        }
    };
    let is_access_point = move || draft.with(|d| d.access_point == "1");
    let value = move |f: fn(&CeParticipationDraft) -> String| Signal::derive(move || draft.with(f));
    let title = if record.is_some() {
        "Edit the CE participation record"
    } else {
        "Add a CE participation record"
    };
    let yes = |v: &str| v == "1";
    view! {
        <section class="subsection" aria-labelledby="participation-form-heading">
            <h3 id="participation-form-heading">{title}</h3>
            <ErrorSummary error=shown labels=PARTICIPATION_LABELS/>
            <ActionForm action=save attr:novalidate=true>
                <input type="hidden" name="project_id" value=project_id.to_string()/>
                <input type="hidden" name="participation_id" value=record.as_ref().map(|r| r.id).unwrap_or(0).to_string()/>
                <input type="hidden" name="version" value=record.as_ref().map(|r| r.version).unwrap_or(0).to_string()/>
                <fieldset>
                    <legend>"Participation"</legend>
                    {checkbox("access_point", "Access point (2.09.1)", yes(&initial.access_point))}
                    <fieldset class="nested" class:hidden=move || !is_access_point()>
                        <legend>"Assessments and services at the access point (2.09.A)"</legend>
                        {checkbox("prevention_assessment", "Prevention assessment", yes(&initial.prevention_assessment))}
                        {checkbox("crisis_assessment", "Crisis assessment", yes(&initial.crisis_assessment))}
                        {checkbox("housing_assessment", "Housing assessment", yes(&initial.housing_assessment))}
                        {checkbox("direct_services", "Direct services", yes(&initial.direct_services))}
                    </fieldset>
                    {checkbox("receives_referrals", "Receives CE referrals (2.09.2)", yes(&initial.receives_referrals))}
                </fieldset>
                <div class="field-row">
                    <TextField id="start_date" label="CE Participation Status Start Date" kind="date" value=value(|d| d.start_date.clone())
                        on_input=set("start_date") error=shown/>
                    <TextField id="end_date" label="CE Participation Status End Date" kind="date" value=value(|d| d.end_date.clone())
                        on_input=set("end_date") error=shown/>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get() || validation.get().is_some()
                        aria-busy=move || save.pending().get().to_string()>
                        {move || if save.pending().get() { "Saving…" } else { "Save CE participation" }}
                    </button>
                    <a href=format!("/admin/projects/{project_id}")>"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

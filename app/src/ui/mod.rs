//! Shared components: field errors, the error summary, page guards.

use crate::error::{AppError, FieldErrors};
use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::server_fn::{error::ServerFnUrlError, ServerFn};
use leptos_router::hooks::use_params_map;

/// Today as the person at the screen sees it (the browser's clock; the server's when
/// rendering). The server functions check again with the server's own day.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A numeric route parameter (`None` when missing or not a number).
pub fn param_id(key: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(key).and_then(|v| v.parse::<i64>().ok())
}

/// The error of a form's last submission: from the action (with JavaScript), or, after a plain
/// HTML post without JavaScript, from the URL the server redirected back to. Call it inside a
/// routed page, where the Router provides the URL's error.
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_url = use_context::<ServerActionError>()
        .filter(|error| error.path() == S::PATH)
        .map(|error| ServerFnUrlError::<AppError>::decode_err(error.err()));
    Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => from_url.clone(),
    })
}

/// After each successful save of `action`: "Saved." (`saved`) and the page reloads its data
/// (`reload`). A new save hides the last one's "Saved." until it is answered, and a refused one
/// keeps what the user typed (no reload).
pub fn follow_saves<S>(action: ServerAction<S>, saved: RwSignal<bool>, reload: RwSignal<u32>)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.pending().get() {
            saved.set(false);
        }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(_)) => saved.set(false),
        None => {}
    });
}

/// Each form's field names and the labels people see, for the error summary's links.
pub type FieldLabels = &'static [(&'static str, &'static str)];

/// The summary at the top of a form: what went wrong, with a link to each field in error.
#[component]
pub fn ErrorSummary(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] labels: FieldLabels,
) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let items = error.field_errors().map(|fields| {
                fields
                    .0
                    .iter()
                    .map(|(field, message)| {
                        let label = labels.iter().find(|(name, _)| name == field).map(|(_, label)| *label).unwrap_or(field.as_str());
                        view! { <li><a href=format!("#{field}")>{format!("{label}: {message}")}</a></li> }
                    })
                    .collect_view()
            });
            view! {
                <div class="error-summary" role="alert">
                    <p class="error-summary-title">{error.to_string()}</p>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

/// The message under one field, when the last submission put one there.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|error| error.field_errors().and_then(|fields| fields.get(field).map(str::to_string)))
            .map(|message| view! { <p class="field-error" id=format!("{field}-error")>{message}</p> })
    }
}

/// A full-width message for an error that is not about one field. Missing sign-in or context
/// is left to the page guard, which explains it once.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let (title, message) = match error {
        AppError::NotSignedIn | AppError::NoContext | AppError::PasswordChangeRequired => {
            return ().into_any()
        }
        AppError::NotFound => (
            "Not found",
            "There is no such record, or it is not shared with your organization.".to_string(),
        ),
        AppError::Forbidden => ("Not available in this Workgroup", error.to_string()),
        _ => ("Something went wrong", error.to_string()),
    };
    // The page answers with the error's status (404, 403), not 200, and offers a way back.
    if let Ok(status) = http::StatusCode::from_u16(error.status()) {
        answer_page_with(status);
    }
    view! {
        <section class="panel notice" role="alert">
            <h1>{title}</h1>
            <p>{message}</p>
            <p><a href=crate::routes::CLIENTS>"Back to Clients"</a></p>
        </section>
    }
    .into_any()
}

/// The HTTP status of the page being rendered on the server (nothing in the browser).
fn answer_page_with(status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// False while the page is rendered on the server (and stays false without JavaScript); true
/// once it is hydrated. Fields that do not apply are hidden only then, so a form posted without
/// JavaScript still shows every field it may need.
pub fn interactive() -> RwSignal<bool> {
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    interactive
}

/// An address the app has no page for: 404, and a way on.
#[component]
pub fn PageNotFound() -> impl IntoView {
    answer_page_with(http::StatusCode::NOT_FOUND);
    view! {
        <section class="panel notice" role="alert">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have been mistyped or moved."</p>
            <p><a href="/">"Go to the dashboard"</a>" · "<a href=crate::routes::CLIENTS>"Back to Clients"</a></p>
        </section>
    }
}

/// What a user without an applied Workgroup and Organization sees instead of a page.
#[component]
pub fn NoContextNotice() -> impl IntoView {
    view! {
        <section class="panel notice" role="alert">
            <h1>"Choose your Workgroup and Organization"</h1>
            <p>{AppError::NoContext.to_string()}</p>
        </section>
    }
}

/// `aria-invalid` of a field while an error names it.
fn invalid_attr(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy {
    move || {
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.field_errors())
                .and_then(|f| f.get(field))
                .map(|_| "true")
        })
    }
}

/// A labelled input bound to one field of a reactive draft. Its `name` is `id` (the server
/// function's argument), and it renders its value as an attribute too, so the form reads and
/// posts without JavaScript.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let initial = value.get_untracked();
    let described = match hint {
        Some(_) => format!("{id}-hint {id}-error"),
        None => format!("{id}-error"),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id type=kind value=initial prop:value=move || value.get()
                maxlength=maxlength.map(|m| m.to_string()) autocomplete=autocomplete
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=invalid_attr(error, id) aria-describedby=described/>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <FieldError error field=id/>
        </div>
    }
}

/// A labelled select bound to one field of a reactive draft; `options` are (value, label), and
/// `empty` labels the "nothing chosen" option (none when `None`).
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
    options: Vec<(String, String)>,
    #[prop(optional)] empty: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let described = match hint {
        Some(_) => format!("{id}-hint {id}-error"),
        None => format!("{id}-error"),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id on:change=move |ev| on_change.run(event_target_value(&ev))
                aria-invalid=invalid_attr(error, id) aria-describedby=described>
                {empty.map(|text| view! { <option value="" selected=move || value.with(String::is_empty)>{text}</option> })}
                {options.into_iter().map(|(code, text)| {
                    let chosen = code.clone();
                    view! { <option value=code selected=move || value.with(|v| *v == chosen)>{text}</option> }
                }).collect_view()}
            </select>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <FieldError error field=id/>
        </div>
    }
}

/// The errors a reactive form shows: the shared rules' verdict on the fields the user has
/// touched (`client`), then whatever the server answered for the last save.
pub fn shown_errors(
    client: Memo<Option<FieldErrors>>,
    touched: RwSignal<Vec<&'static str>>,
    server: Signal<Option<AppError>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        let mut errors = FieldErrors::new();
        if let Some(client) = client.get() {
            touched.with(|touched| {
                for (field, message) in client.0 {
                    if touched.iter().any(|t| *t == field) {
                        errors.add(&field, message);
                    }
                }
            });
        }
        match server.get() {
            Some(AppError::Invalid(server)) => {
                for (field, message) in server.0 {
                    errors.add(&field, message);
                }
            }
            Some(other) => return Some(other),
            None => {}
        }
        (!errors.is_empty()).then_some(AppError::Invalid(errors))
    })
}

/// "Save is unavailable until …": why a form's submit button is disabled.
pub fn unavailable_reason(errors: &FieldErrors, labels: FieldLabels) -> String {
    let names: Vec<&str> = errors
        .0
        .keys()
        .map(|k| {
            labels
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, l)| *l)
                .unwrap_or(k.as_str())
        })
        .collect();
    format!(
        "Save is unavailable until {} field(s) are corrected: {}.",
        names.len(),
        names.join(", ")
    )
}

/// The `?project=` of a queue opened from the CoC view (`None`: the whole queue).
pub fn project_filter() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let query = leptos_router::hooks::use_query_map();
    move || query.read().get("project").and_then(|p| p.parse().ok())
}

/// A server resource as a page shows it: a loading line until it arrives, then `view` of the
/// value, or the error panel. (The loader every page wrote out by hand.)
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// Shown while loading, e.g. "Loading the CE Event…".
    loading: &'static str,
    view: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => view(value).into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

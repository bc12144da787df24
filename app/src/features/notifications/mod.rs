//! Notifications: the bell in the header with the unread count, and the list behind it.

mod admin_outbox;
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod sweep;

pub use admin_outbox::OutboxAdminPage;

use crate::domain::notify::{validate_delivery, Delivery, DELIVERY_FIELD};
use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::{follow_saves, form_error, ErrorSummary, FieldError, FieldLabels, Loaded};
use api::{
    get_delivery, list_notifications, unread_notifications, DeliveryPreference,
    MarkAllNotificationsRead, MarkNotificationRead, SaveDelivery,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

const DELIVERY_LABELS: FieldLabels = &[(DELIVERY_FIELD, "Notification delivery")];

/// How often an open page asks for the bell's count (the live count needs JavaScript; without
/// it the count is as of the page's load).
const BELL_POLL_MS: u64 = 60_000;

/// The bell: "Notifications" and the unread count, a link to the list. Read again on every
/// navigation and once a minute.
#[component]
pub fn NotificationBell() -> impl IntoView {
    let location = use_location();
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|n| *n += 1),
            std::time::Duration::from_millis(BELL_POLL_MS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = BELL_POLL_MS;
    let count = Resource::new(
        move || (location.pathname.get(), tick.get()),
        |_| unread_notifications(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let unread = count.await.ok().flatten()?;
                Some(view! {
                    <a class="bell" href=routes::NOTIFICATIONS data-testid="notification-bell">
                        "Notifications"
                        {(unread > 0).then(|| view! {
                            " " <span class="badge count">{unread}</span><span class="sr-only">" unread"</span>
                        })}
                    </a>
                })
            })}
        </Transition>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! { <Guarded needs_context=false><Notifications/></Guarded> }
}

#[component]
fn Notifications() -> impl IntoView {
    let mark = ServerAction::<MarkNotificationRead>::new();
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();
    let list = Resource::new(
        move || (mark.version().get(), mark_all.version().get()),
        |_| list_notifications(),
    );
    view! {
        <section class="panel">
            <h1>"Notifications"</h1>
            <DeliverySection/>
            <h2>"Latest"</h2>
            <Loaded resource=list loading="Loading notifications…" view=move |list| {
                if list.items.is_empty() {
                    return view! { <p>"No notifications yet."</p> }.into_any();
                }
                view! {
                    <p role="status">{format!("{} unread", list.unread)}</p>
                    {(list.unread > 0).then(|| view! {
                        <ActionForm action=mark_all>
                            <button type="submit" class="secondary" disabled=move || mark_all.pending().get()>"Mark all read"</button>
                        </ActionForm>
                    })}
                    <ul class="notifications">
                        {list.items.into_iter().map(|item| view! {
                            <li class:unread=!item.read>
                                <a href=item.link.clone()>{item.message.clone()}</a>
                                <span class="muted">{format!(" · {}", item.created)}</span>
                                {(!item.read).then(|| view! {
                                    <ActionForm action=mark attr:class="inline">
                                        <input type="hidden" name="id" value=item.id.to_string()/>
                                        <button type="submit" class="secondary small"
                                            aria-label=format!("Mark read: {}", item.message)>"Mark read"</button>
                                    </ActionForm>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }/>
        </section>
    }
}

/// "Notification delivery": in Threshold only, an e-mail for each, or a daily digest. E-mails say
/// what happened and link to it; they never name the client.
#[component]
fn DeliverySection() -> impl IntoView {
    let save = ServerAction::<SaveDelivery>::new();
    let query = use_query_map();
    let saved = RwSignal::new(query.read_untracked().get("saved").as_deref() == Some("delivery"));
    let reload = RwSignal::new(0u32);
    follow_saves(save, saved, reload);
    let preference = Resource::new(move || reload.get(), |_| get_delivery());
    view! {
        <section class="subsection" aria-labelledby="delivery-heading">
            <h2 id="delivery-heading">"Notification delivery"</h2>
            <Loaded resource=preference loading="Loading your notification delivery…"
                view=move |preference| view! { <DeliveryForm preference save saved/> }/>
        </section>
    }
}

#[component]
fn DeliveryForm(
    preference: DeliveryPreference,
    save: ServerAction<SaveDelivery>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let error = form_error(save);
    let pending = save.pending();
    let has_email = preference.has_email;
    view! {
        <ActionForm action=save attr:novalidate=true>
            <ErrorSummary error labels=DELIVERY_LABELS/>
            <input type="hidden" name="delivery[version]" value=preference.version.to_string()/>
            <fieldset id=DELIVERY_FIELD aria-describedby=format!("{DELIVERY_FIELD}-error")>
                <legend>"How do you want to hear of notifications?"</legend>
                {Delivery::ALL.into_iter().map(|choice| {
                    // The shared rule: an e-mail choice needs an address on file.
                    let refused = validate_delivery(choice.stored(), has_email).is_err();
                    let id = format!("delivery-{}", choice.stored());
                    view! {
                        <div class="check">
                            <input type="radio" id=id.clone() name="delivery[choice]" value=choice.stored()
                                checked=choice == preference.delivery disabled=refused/>
                            <label for=id>{choice.label()}</label>
                        </div>
                    }
                }).collect_view()}
                {(!has_email).then(|| view! {
                    <p class="hint">"E-mail needs an address on file: ask your System Administrator to add one to your user."</p>
                })}
                <p class="hint">"E-mails say what happened and link to the record; they never name the client."</p>
                <FieldError error field=DELIVERY_FIELD/>
            </fieldset>
            <button type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                {move || if pending.get() { "Saving…" } else { "Save delivery" }}
            </button>
            {move || saved.get().then(|| view! { <p class="confirmation" role="status">"Saved."</p> })}
        </ActionForm>
    }
}

//! Notifications: the bell in the header with the unread count, and the list behind it.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::features::auth::Guarded;
use crate::routes;
use crate::ui::Loaded;
use api::{
    list_notifications, unread_notifications, MarkAllNotificationsRead, MarkNotificationRead,
};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

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

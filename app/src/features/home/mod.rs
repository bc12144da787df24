//! The home dashboard after sign-in.

use crate::features::auth::{use_auth, Guarded};
use crate::features::dashboard::{CountsWidget, TimelinessPanel};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Guarded>
            <Dashboard/>
        </Guarded>
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let auth = use_auth();
    view! {
        <section class="panel">
            <h1>"Home"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let info = auth.session.await.ok().flatten();
                    match info.and_then(|i| i.context) {
                        Some(context) => view! {
                            <p>"You are working as " <strong>{context.workgroup.label()}</strong> " in " <strong>{context.organization_name}</strong> "."</p>
                            <p><a href="/clients" class="button">"Search clients"</a></p>
                        }.into_any(),
                        None => view! {
                            <p>"Click your user icon in the top right-hand corner to open the Settings sidebar, choose your Workgroup and Organization, then click Apply."</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        // Created unconditionally (resources must be created in the same order on the server
        // and in the browser); without a context they render nothing.
        <CountsWidget/>
        <TimelinessPanel/>
    }
}

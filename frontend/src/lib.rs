//! The browser entry point: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages other than sign-in and the dashboard are lazy routes (their code is split off by
    // `cargo leptos build --split`): the current page's chunk is fetched before it is hydrated.
    wasm_bindgen_futures::spawn_local(async {
        let mounted =
            leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        mounted.forget();
        // A marker the end-to-end tests wait for before they click.
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"__threshold_hydrated".into(), &true.into());
        }
    });
}

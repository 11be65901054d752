//! Concord's browser app: a Leptos client-side app compiled to wasm. `start` mounts it on the
//! page; `app` holds the router; `api` is the only way to the server; `pages` and
//! `components` are the views; `i18n` the two languages; `logic` the plain, tested functions
//! behind the views; `split` the pages loaded when first visited.

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod live;
pub mod logic;
pub mod pages;
pub mod session;
pub mod split;

/// Mounts the app on `<body>` when the wasm module starts.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // The static page shows "loading…" until the app is ready.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}

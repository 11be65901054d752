//! Any address the app does not know.

use leptos::prelude::*;

use crate::i18n::{T, tr};

/// The "page not found" page.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page page-narrow" data-testid="not-found">
            <h1 class="page-title">{tr(T::NotFoundTitle)}</h1>
            <p>{tr(T::NotFoundBody)}</p>
            <p><a class="btn btn-primary" href="/board">{tr(T::BackToBoard)}</a></p>
        </section>
    }
}

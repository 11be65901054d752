//! Loading, error and empty states, the same everywhere.

use leptos::prelude::*;

use crate::api;
use crate::i18n::{T, tr, use_lang};

/// Shows a failed form's answer: the named fields beside them (`errors`), anything else as a
/// notice.
pub fn show_failure(
    err: &api::Error,
    errors: RwSignal<Vec<shared::error::FieldError>>,
    lang: shared::Lang,
) {
    report_failure(crate::components::notice::use_notices(), err, errors, lang);
}

/// `show_failure` with the app's notices at hand (after an `await`, where the component's
/// context is no longer reachable).
pub fn report_failure(
    notices: crate::components::notice::Notices,
    err: &api::Error,
    errors: RwSignal<Vec<shared::error::FieldError>>,
    lang: shared::Lang,
) {
    let fields = err.fields(lang);
    if fields.is_empty() {
        notices.error(err.message(lang), None);
    }
    errors.set(fields);
}

/// A calm "loading…" line with a spinner.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{tr(T::Loading)}</span>
        </div>
    }
}

/// An error from the API, in the person's language, with an optional "try again".
#[component]
pub fn ErrorBox(
    /// What went wrong.
    error: api::Error,
    /// A heading above the error's sentence.
    #[prop(optional)]
    title: Option<T>,
    /// Called by the "try again" button.
    #[prop(optional)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    let lang = use_lang();
    let message = move || error.message(lang.get());
    view! {
        <div class="state state-error" role="alert" data-testid="error">
            {title.map(|t| view! { <strong>{tr(t)}</strong> })}
            <span>{message}</span>
            {retry.map(|cb| {
                view! {
                    <button type="button" class="btn btn-secondary" on:click=move |_| cb.run(())>
                        {tr(T::Retry)}
                    </button>
                }
            })}
        </div>
    }
}

/// A quiet line for a list with nothing in it.
#[component]
pub fn Empty(
    /// The sentence.
    text: T,
) -> impl IntoView {
    view! { <div class="state state-empty" data-testid="empty">{tr(text)}</div> }
}

//! Sign-in (`/login`): username and password; on success the session cookie is set and the
//! person goes where they were headed (`?next=`), or to the board.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::LoginRequest;
use shared::error::FieldError;

use crate::api;
use crate::components::field::FieldMessage;
use crate::i18n::{T, tr, use_lang};
use crate::session::{safe_next, use_session};

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let lang = use_lang();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = Memo::new(move |_| query.with(|q| safe_next(q.get("next").as_deref())));

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<api::Error>);
    let fields = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);

    // Someone already signed in goes straight on.
    {
        let navigate = navigate.clone();
        Effect::new(move || {
            if session.checked.get()
                && session.user.with(Option::is_some)
                && !pending.get_untracked()
            {
                navigate(
                    &next.get_untracked(),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = LoginRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let mut missing = Vec::new();
        let l = lang.get_untracked();
        if request.username.is_empty() {
            missing.push(FieldError::new("username", shared::Reason::Required, l));
        }
        if request.password.is_empty() {
            missing.push(FieldError::new("password", shared::Reason::Required, l));
        }
        fields.set(missing.clone());
        if !missing.is_empty() {
            error.set(None);
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(&request).await {
                Ok(user) => {
                    session.user.set(Some(user));
                    session.checked.set(true);
                    navigate(
                        &next.get_untracked(),
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    );
                }
                Err(err) => {
                    fields.set(err.fields(lang.get_untracked()));
                    password.set(String::new());
                    error.set(Some(err));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="page page-login" data-testid="login-page">
            <div class="login-card">
                <h1 class="page-title">{tr(T::LoginTitle)}</h1>
                <p class="muted">{tr(T::LoginIntro)}</p>
                <form on:submit=submit novalidate data-testid="login-form">
                    <div class="field">
                        <label for="login-username">{tr(T::Username)}</label>
                        <input
                            id="login-username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            autocapitalize="off"
                            spellcheck="false"
                            autofocus
                            aria-describedby="err-username"
                            prop:value=move || username.get()
                            on:input=move |ev| username.set(event_target_value(&ev))
                        />
                        <FieldMessage name="username" errors=fields.into() />
                    </div>
                    <div class="field">
                        <label for="login-password">{tr(T::Password)}</label>
                        <input
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            aria-describedby="err-password"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                        <FieldMessage name="password" errors=fields.into() />
                    </div>
                    {move || error.get().map(|err| view! {
                        <p class="form-error" role="alert" data-testid="login-error">
                            {move || login_message(&err, lang.get())}
                        </p>
                    })}
                    <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit"
                        disabled=move || pending.get()>
                        {move || if pending.get() { T::LoggingIn.get(lang.get()) } else { T::LoginSubmit.get(lang.get()) }}
                    </button>
                </form>
                <p class="login-public">
                    {tr(T::LoginPublicHint)} " "
                    <a href="/status" rel="external" data-testid="login-status-link">{tr(T::NavStatus)}</a>
                </p>
            </div>
        </section>
    }
}

/// The sentence for a failed sign-in: a 401 means the username or password was wrong.
fn login_message(err: &api::Error, lang: shared::Lang) -> String {
    if err.is_unauthorized() {
        shared::Reason::BadCredentials.message(lang)
    } else {
        err.message(lang)
    }
}

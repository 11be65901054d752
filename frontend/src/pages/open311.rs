//! `/admin/open311`: the administrator's Open311 clients. Other software (a county hotline, a
//! city app) brings matters in through Open311 GeoReport v2 with an API key issued here, one
//! per client; the key is shown once, when it is issued, and can be revoked at any time (the
//! server enforces all of it: only the administrator may list, issue or revoke).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{IssueOpen311Client, IssuedOpen311Client, Open311Client};
use shared::error::FieldError;
use shared::validate::check_open311_client;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// The address other software reaches the GeoReport v2 endpoint at.
fn endpoint() -> String {
    let origin = leptos::prelude::window()
        .location()
        .origin()
        .unwrap_or_default();
    format!("{origin}/open311/v2")
}

#[component]
pub fn Open311Page() -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let loaded = RwSignal::new(None::<Result<Vec<Open311Client>, api::Error>>);
    let name = RwSignal::new(String::new());
    let batch = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let issuing = RwSignal::new(false);
    let issued = RwSignal::new(None::<IssuedOpen311Client>);
    let confirming = RwSignal::new(None::<i64>);

    let load = move || {
        spawn_local(async move {
            loaded.set(Some(api::open311_clients().await));
        });
    };
    load();

    let issue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if issuing.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let request = IssueOpen311Client {
            name: name.get_untracked().trim().to_owned(),
            batch: batch.get_untracked(),
        };
        if let Err(e) = check_open311_client(&request, l) {
            errors.set(e);
            return;
        }
        errors.set(Vec::new());
        issuing.set(true);
        spawn_local(async move {
            let result = api::issue_open311_client(&request).await;
            issuing.set(false);
            match result {
                Ok(done) => {
                    name.set(String::new());
                    batch.set(false);
                    issued.set(Some(done));
                    load();
                }
                Err(err) => {
                    errors.set(err.fields(lang.get_untracked()));
                    notices.error(err.message(lang.get_untracked()), None);
                }
            }
        });
    };
    let revoke = move |id: i64| {
        confirming.set(None);
        spawn_local(async move {
            match api::revoke_open311_client(id).await {
                Ok(_) => {
                    notices.success(T::Open311Revoked.get(lang.get_untracked()));
                    load();
                }
                Err(err) => notices.error(err.message(lang.get_untracked()), None),
            }
        });
    };
    let name_error = Memo::new(move |_| errors.with(|e| e.iter().any(|f| f.field == "name")));

    view! {
        <section class="page page-open311" data-testid="open311-page">
            <header class="page-head">
                <h1>{tr(T::Open311Title)}</h1>
            </header>
            <p class="hint">{tr(T::Open311Hint)}</p>
            <p class="open311-endpoint">
                {tr(T::Open311Endpoint)} " "
                <code data-testid="open311-endpoint">{endpoint()}</code>
                " · "
                <a href="/open311/discovery.xml" rel="external">{tr(T::Open311Discovery)}</a>
            </p>
            {move || issued.get().map(|done| view! {
                <div class="state state-ok issued-key" role="status" data-testid="open311-issued">
                    <p><strong>{move || T::Open311KeyOnce.get(lang.get())}</strong></p>
                    <p>{done.client.name.clone()}</p>
                    <label for="issued-key">{tr(T::Open311Key)}</label>
                    <input id="issued-key" type="text" readonly=true data-testid="open311-key"
                        prop:value=done.api_key
                        on:focus=move |ev| { event_target::<web_sys::HtmlInputElement>(&ev).select(); } />
                    <button type="button" class="btn btn-secondary btn-small" data-testid="open311-key-done"
                        on:click=move |_| issued.set(None)>
                        {tr(T::Open311KeyKept)}
                    </button>
                </div>
            })}
            <form class="open311-form" on:submit=issue novalidate data-testid="open311-form">
                <h2>{tr(T::Open311Issue)}</h2>
                <div class="field">
                    <label for="open311-name">{tr(T::Open311ClientName)}</label>
                    <input id="open311-name" type="text" maxlength="60" data-testid="open311-name"
                        aria-invalid=move || name_error.get().then_some("true")
                        aria-describedby="err-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <FieldMessage name="name" errors=errors.into() />
                </div>
                <label class="check" for="open311-batch">
                    <input id="open311-batch" type="checkbox" data-testid="open311-batch"
                        prop:checked=move || batch.get()
                        on:change=move |ev| batch.set(event_target_checked(&ev)) />
                    <span>{tr(T::Open311Batch)}</span>
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="open311-submit" disabled=move || issuing.get()>
                        {tr(T::Open311IssueButton)}
                    </button>
                </div>
            </form>
            <h2>{tr(T::Open311Clients)}</h2>
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" data-testid="open311-none">{tr(T::Open311None)}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="table open311-table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr(T::Open311ClientName)}</th>
                                    <th scope="col">{tr(T::Open311Key)}</th>
                                    <th scope="col">{tr(T::Open311Mode)}</th>
                                    <th scope="col">{tr(T::Open311Issued)}</th>
                                    <th scope="col">{tr(T::Open311Requests)}</th>
                                    <th scope="col">{tr(T::Open311State)}</th>
                                    <th scope="col"><span class="visually-hidden">{tr(T::Open311Revoke)}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|c| {
                                    let id = c.id;
                                    let revoked = c.revoked_at;
                                    let name = c.name.clone();
                                    view! {
                                        <tr data-testid="open311-row" data-revoked=revoked.is_some().to_string()>
                                            <td>{c.name.clone()}</td>
                                            <td><code>{format!("{}…", c.key_hint)}</code></td>
                                            <td>{move || if c.batch { T::Open311ModeBatch.get(lang.get()) } else { T::Open311ModeRealtime.get(lang.get()) }}</td>
                                            <td>{time::date_time(c.created_at)} " · " {c.created_by.clone()}</td>
                                            <td>{c.requests}</td>
                                            <td>{match revoked {
                                                Some(at) => view! {
                                                    <span class="open311-revoked">{tr(T::Open311RevokedAt)} " " {time::date_time(at)}</span>
                                                }.into_any(),
                                                None => view! { <span class="open311-active">{tr(T::Open311Active)}</span> }.into_any(),
                                            }}</td>
                                            <td class="open311-actions">
                                                {revoked.is_none().then(|| view! {
                                                    <Show
                                                        when=move || confirming.get() == Some(id)
                                                        fallback=move || view! {
                                                            <button type="button" class="btn btn-ghost btn-small" data-testid="open311-revoke"
                                                                on:click=move |_| confirming.set(Some(id))>
                                                                {tr(T::Open311Revoke)}
                                                            </button>
                                                        }
                                                    >
                                                        <span class="open311-confirm" role="group" aria-label=name.clone()>
                                                            <span>{tr(T::Open311RevokeConfirm)}</span>
                                                            <button type="button" class="btn btn-primary btn-danger btn-small" data-testid="open311-revoke-yes"
                                                                on:click=move |_| revoke(id)>
                                                                {tr(T::Open311Revoke)}
                                                            </button>
                                                            <button type="button" class="btn btn-ghost btn-small"
                                                                on:click=move |_| confirming.set(None)>
                                                                {tr(T::Cancel)}
                                                            </button>
                                                        </span>
                                                    </Show>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

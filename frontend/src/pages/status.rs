//! The resident's status page (`/status`, no account): the case code and the last four digits
//! of the applicant's phone give the progress, the stage dates, the handling unit, whether it
//! is on time, and the notes the center published. Any wrong input gets the same "not found",
//! so the page cannot be used to probe codes; too many tries get the rate-limit message.
//! `?code=` fills the code in (the receipt's link and, later, its QR code).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use shared::api::{PublicProgress, PublicStatus, StatusLookup};
use shared::error::ErrorKind;
use shared::model::Stage;
use shared::validate::normalize_case_code;

use crate::api;
use crate::components::stepper::Stepper;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// What the page shows below the form.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    None,
    Found(Box<PublicStatus>),
    NotFound,
    Failed(api::Error),
}

/// The look-up to send, or `None` when the input cannot match any case (which the page
/// answers exactly like an unknown case).
pub fn lookup_of(code: &str, last4: &str) -> Option<StatusLookup> {
    let code = normalize_case_code(code)?;
    let last4 = last4.trim();
    (last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit())).then(|| StatusLookup {
        code,
        phone_last4: last4.to_owned(),
    })
}

/// The status page.
#[component]
pub fn StatusPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code")).unwrap_or_default());
    let last4 = RwSignal::new(String::new());
    let answer = RwSignal::new(Answer::None);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(lookup) = lookup_of(&code.get_untracked(), &last4.get_untracked()) else {
            answer.set(Answer::NotFound);
            return;
        };
        code.set(lookup.code.clone());
        pending.set(true);
        spawn_local(async move {
            let result = api::public_status(&lookup).await;
            pending.set(false);
            answer.set(match result {
                Ok(status) => Answer::Found(Box::new(status)),
                Err(err)
                    if matches!(
                        err.kind(),
                        Some(ErrorKind::NotFound | ErrorKind::Validation | ErrorKind::BadRequest)
                    ) =>
                {
                    Answer::NotFound
                }
                Err(err) => Answer::Failed(err),
            });
        });
    };

    view! {
        <section class="page page-status" data-testid="status-page">
            <div class="status-card">
                <h1 class="page-title">{tr(T::StatusTitle)}</h1>
                <p class="muted">{tr(T::StatusIntro)}</p>
                <form class="status-form" on:submit=submit novalidate data-testid="status-form">
                    <div class="field">
                        <label for="status-code">{tr(T::CodeLabel)}</label>
                        <input id="status-code" name="code" type="text" autocomplete="off" autocapitalize="characters"
                            spellcheck="false" class="mono input-code" placeholder=tr(T::CodePlaceholder)
                            prop:value=move || code.get()
                            on:input=move |ev| code.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="status-last4">{tr(T::Last4Label)}</label>
                        <input id="status-last4" name="phone_last4" type="text" inputmode="numeric" maxlength="4"
                            autocomplete="off" class="mono input-last4"
                            prop:value=move || last4.get()
                            on:input=move |ev| last4.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit" class="btn btn-primary btn-block" data-testid="lookup" disabled=move || pending.get()>
                        {move || if pending.get() { T::LookingUp.get(lang.get()) } else { T::Lookup.get(lang.get()) }}
                    </button>
                </form>
                <p class="hint">{tr(T::StatusPrivacy)}</p>
            </div>
            {move || match answer.get() {
                Answer::None => ().into_any(),
                Answer::NotFound => view! {
                    <div class="state state-error status-answer" role="alert" data-testid="status-not-found">
                        {tr(T::StatusNotFound)}
                    </div>
                }.into_any(),
                Answer::Failed(err) => {
                    let limited = err.kind() == Some(ErrorKind::RateLimited);
                    view! {
                        <div class="state state-error status-answer" role="alert" data-testid="status-error"
                            data-rate-limited=limited.to_string()>
                            {move || err.message(lang.get())}
                        </div>
                    }.into_any()
                }
                Answer::Found(status) => view! { <StatusResult status=*status /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatusResult(status: PublicStatus) -> impl IntoView {
    let lang = use_lang();
    let progress = status.progress;
    let class = match progress {
        PublicProgress::Received => "progress progress-received",
        PublicProgress::InProgress => "progress progress-inprogress",
        PublicProgress::Closed => "progress progress-closed",
    };
    let progress_name = match progress {
        PublicProgress::Received => "received",
        PublicProgress::InProgress => "in_progress",
        PublicProgress::Closed => "closed",
    };
    let stage = status.stage;
    let kind = status.kind;
    let steps = (!status.restricted).then(|| {
        let d = |x: Option<chrono::NaiveDate>| x.map(time::date);
        vec![
            (Stage::Registered, Some(time::date(status.registered_on))),
            (Stage::Routed, d(status.routed_on)),
            (Stage::InHandling, d(status.handling_on)),
            (Stage::Closed, d(status.closed_on)),
            (Stage::Archived, d(status.archived_on)),
        ]
    });
    let notes = status.notes.clone();
    view! {
        <article class="status-result" data-testid="status-result" data-progress=progress_name
            data-restricted=status.restricted.to_string()>
            <header class="status-result-head">
                <span class="mono status-code" data-testid="status-code">{status.code.clone()}</span>
                <span class=class data-testid="status-progress">{move || progress.label(lang.get())}</span>
            </header>
            {kind.map(|k| view! { <p class="muted">{move || k.label(lang.get())}</p> })}
            {if status.restricted {
                view! { <p class="hint" data-testid="status-restricted">{tr(T::Restricted)}</p> }.into_any()
            } else {
                ().into_any()
            }}
            {match (steps, stage) {
                (Some(steps), Some(stage)) => view! { <Stepper current=stage dates=steps /> }.into_any(),
                _ => ().into_any(),
            }}
            <dl class="facts facts-stack">
                {status.handling_unit.clone().map(|u| view! {
                    <div><dt>{tr(T::HandlingUnit)}</dt><dd data-testid="status-unit">{u}</dd></div>
                })}
                {status.due_on.map(|d| view! {
                    <div><dt>{tr(T::DueBy)}</dt>
                        <dd data-testid="status-due">{d.format("%Y-%m-%d").to_string()}</dd>
                    </div>
                })}
                {status.suspended.then(|| view! {
                    <div><dt>{tr(T::HandlingState)}</dt><dd data-testid="status-suspended">{tr(T::SuspendedPublic)}</dd></div>
                })}
                {status.on_time.map(|ok| view! {
                    <div><dt>{tr(T::OnTime)}</dt>
                        <dd data-testid="status-on-time" data-on-time=ok.to_string()>
                            <span class=if ok { "badge badge-ontime" } else { "badge badge-overdue" }>
                                {move || if ok { T::OnTimeYes.get(lang.get()) } else { T::OnTimeNo.get(lang.get()) }}
                            </span>
                        </dd>
                    </div>
                })}
            </dl>
            {(!status.restricted).then(|| view! {
                <section class="status-notes">
                    <h2 class="panel-title">{tr(T::PublicNotes)}</h2>
                    {if notes.is_empty() {
                        view! { <p class="hint">{tr(T::NoPublicNotes)}</p> }.into_any()
                    } else {
                        view! {
                            <ol class="timeline" data-testid="status-notes">
                                {notes.iter().map(|n| view! {
                                    <li class="event" data-testid="status-note">
                                        <time class="event-time">{time::date_time(n.at)}</time>
                                        <p class="event-text prose">{n.text.clone()}</p>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                </section>
            })}
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_normalised_and_bad_input_never_reaches_the_server() {
        let lookup = lookup_of(" 2611-2345z2 ", "1234");
        assert_eq!(
            lookup.map(|l| (l.code, l.phone_last4)),
            Some(("2611-2345Z2".into(), "1234".into()))
        );
        assert!(lookup_of("26112345Z2", "5678").is_some());
        assert!(lookup_of("2611-2345Z2", "123").is_none());
        assert!(lookup_of("2611-2345Z2", "12a4").is_none());
        assert!(lookup_of("hello", "1234").is_none());
    }
}

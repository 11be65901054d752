//! The case page's clock panels: suspension and resumption, extension requests and the lead's
//! decision, the message thread, and the police notice's state.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{ExtensionDecision, NewExtension, NewMessage, NewSuspension, ResumeRequest};
use shared::error::FieldError;
use shared::model::{
    CaseDetail, CaseEvent, EventKind, ExtensionStatus, PoliceNotice, SuspendReason,
};

use crate::api;
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// What the reader may do with the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockRights {
    pub suspend: bool,
    pub ask_extension: bool,
    pub decide_extension: bool,
}

/// Runs `call`; on success tells `done` and says `ok`, else shows the fields or the message.
fn submit_with<F, Fut>(
    pending: RwSignal<bool>,
    errors: RwSignal<Vec<FieldError>>,
    ok: T,
    done: Callback<CaseDetail>,
    call: F,
) where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = api::Result<CaseDetail>> + 'static,
{
    let lang = use_lang();
    let notices = use_notices();
    if pending.get_untracked() {
        return;
    }
    pending.set(true);
    errors.set(Vec::new());
    spawn_local(async move {
        let result = call().await;
        pending.set(false);
        let l = lang.get_untracked();
        match result {
            Ok(detail) => {
                notices.success(ok.get(l));
                done.run(detail);
            }
            Err(err) => {
                let fields = err.fields(l);
                if fields.is_empty() {
                    notices.error(err.message(l), None);
                }
                errors.set(fields);
            }
        }
    });
}

/// Suspensions and extensions of a case, with the forms the reader may use.
#[component]
pub fn ClockPanel(
    detail: CaseDetail,
    rights: ClockRights,
    done: Callback<CaseDetail>,
) -> impl IntoView {
    let lang = use_lang();
    let CaseDetail {
        id,
        stage,
        suspensions,
        extensions,
        extension_rule: rule,
        ..
    } = detail;
    let in_handling = stage == shared::model::Stage::InHandling;
    let suspended = suspensions.iter().any(|s| s.until.is_none());
    let pending_ext = extensions
        .iter()
        .find(|e| e.status == ExtensionStatus::Pending)
        .cloned();
    let approved = extensions
        .iter()
        .filter(|e| e.status == ExtensionStatus::Approved)
        .count();
    let may_ask = rights.ask_extension
        && in_handling
        && pending_ext.is_none()
        && rule.allowed
        && !(rule.once && approved > 0);
    let show = !suspensions.is_empty()
        || !extensions.is_empty()
        || (in_handling && (rights.suspend || rights.ask_extension));

    let reason_kind = RwSignal::new(SuspendReason::WaitingParty);
    let reason = RwSignal::new(String::new());
    let resume_note = RwSignal::new(String::new());
    let days = RwSignal::new(String::from("15"));
    let ext_reason = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let decision_note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let ext_errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);

    let suspend = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewSuspension {
            reason_kind: reason_kind.get_untracked(),
            reason: reason.get_untracked().trim().to_owned(),
        };
        if let Err(fields) = request.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        submit_with(
            pending,
            errors,
            T::SuspendedNotice,
            done,
            move || async move { api::suspend(id, &request).await },
        );
    };
    let resume = move |_| {
        let request = ResumeRequest {
            note: resume_note.get_untracked().trim().to_owned(),
        };
        submit_with(
            pending,
            errors,
            T::ResumedNotice,
            done,
            move || async move { api::resume(id, &request).await },
        );
    };
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let Ok(n) = days.get_untracked().trim().parse::<u32>() else {
            ext_errors.set(vec![FieldError::new(
                "days",
                shared::Reason::OutOfRange {
                    min: 1,
                    max: i64::from(rule.max_days),
                },
                l,
            )]);
            return;
        };
        let request = NewExtension {
            days: n,
            reason: ext_reason.get_untracked().trim().to_owned(),
            consent: consent.get_untracked(),
        };
        if let Err(fields) = request.check(rule, u32::try_from(approved).unwrap_or(0), l) {
            ext_errors.set(fields);
            return;
        }
        submit_with(
            pending,
            errors,
            T::ExtensionAsked,
            done,
            move || async move { api::ask_extension(id, &request).await },
        );
    };
    let decide = move |ext: i64, approve: bool| {
        let request = ExtensionDecision {
            approve,
            note: decision_note.get_untracked().trim().to_owned(),
        };
        if let Err(fields) = request.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        submit_with(
            pending,
            errors,
            T::ExtensionDecidedNotice,
            done,
            move || async move { api::decide_extension(id, ext, &request).await },
        );
    };

    show.then(|| view! {
        <section class="panel" aria-labelledby="suspend-title" data-testid="clock-actions">
            <h2 id="suspend-title" class="panel-title">{tr(T::SuspensionsTitle)}</h2>
            <p class="hint" data-testid="extension-rule">{move || rule.text(lang.get())}</p>
            {(suspensions.is_empty() && extensions.is_empty()).then(|| view! {
                <p class="hint">{tr(T::NoSuspensions)}</p>
            })}
            <ul class="clock-log">
                {suspensions.into_iter().map(|s| {
                    let kind = s.reason_kind;
                    let (from, until) = (s.from, s.until);
                    let span = move || match until {
                        Some(u) => format!("{} – {}", time::date(from), time::date(u)),
                        None => format!("{} {}", T::SuspendedSince.get(lang.get()), time::date(from)),
                    };
                    view! {
                        <li class="clock-entry" data-testid="suspension" data-open=s.until.is_none().to_string()>
                            <span class="chip chip-wait">{move || kind.label(lang.get())}</span>
                            " " {span} " · " {s.by}
                            <p class="prose">{s.reason}</p>
                        </li>
                    }
                }).collect_view()}
                {extensions.into_iter().map(|e| {
                    let status = e.status;
                    let n = e.days;
                    view! {
                        <li class="clock-entry" data-testid="extension" data-status=status.as_str()>
                            <span class=format!("chip chip-ext-{}", status.as_str())>{move || status.label(lang.get())}</span>
                            " " {move || format!("{} {n}", T::ExtensionDays.get(lang.get()))}
                            " · " {e.requested_by}
                            {e.consent.then(|| view! { " · " {tr(T::ConsentLabel)} })}
                            <p class="prose">{e.reason}</p>
                            {e.decision.map(|d| view! { <p class="prose muted">{d}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(in_handling && rights.suspend && suspended).then(|| view! {
                <div class="clock-form" data-testid="resume-form">
                    <p class="hint">{tr(T::SuspendedNotice)}</p>
                    <div class="field">
                        <label for="resume-note">{tr(T::ResumeNote)}</label>
                        <input type="text" id="resume-note" name="note" prop:value=move || resume_note.get()
                            on:input=move |ev| resume_note.set(event_target_value(&ev)) />
                    </div>
                    <button type="button" class="btn btn-primary" data-testid="resume"
                        disabled=move || pending.get() on:click=resume>{tr(T::Resume)}</button>
                </div>
            })}
            {(in_handling && rights.suspend && !suspended).then(|| view! {
                <form class="clock-form" on:submit=suspend novalidate data-testid="suspend-form">
                    <div class="field">
                        <label for="suspend-kind">{tr(T::SuspendReasonLabel)}</label>
                        <select id="suspend-kind" name="reason_kind"
                            on:change=move |ev| {
                                if let Some(k) = SuspendReason::parse(&event_target_value(&ev)) {
                                    reason_kind.set(k);
                                }
                            }>
                            {SuspendReason::ALL.iter().map(|k| {
                                let k = *k;
                                view! { <option value=k.as_str() selected=move || reason_kind.get() == k>{move || k.label(lang.get())}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="suspend-reason">{tr(T::SuspendWhat)}</label>
                        <input type="text" id="suspend-reason" name="reason" aria-describedby="err-suspend-reason"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <FieldMessage name="reason" scope="suspend" errors=errors.into() />
                    </div>
                    <button type="submit" class="btn btn-secondary" data-testid="suspend"
                        disabled=move || pending.get()>{tr(T::Suspend)}</button>
                </form>
            })}
            {may_ask.then(|| view! {
                <form class="clock-form" on:submit=ask novalidate data-testid="extension-form">
                    <div class="field">
                        <label for="ext-days">{tr(T::ExtensionDays)}</label>
                        <input id="ext-days" name="days" type="number" min="1" max=rule.max_days.to_string()
                            inputmode="numeric" aria-describedby="err-ext-days"
                            prop:value=move || days.get()
                            on:input=move |ev| days.set(event_target_value(&ev)) />
                        <FieldMessage name="days" scope="ext" errors=ext_errors.into() />
                    </div>
                    <div class="field">
                        <label for="ext-reason">{tr(T::ExtensionReason)}</label>
                        <input type="text" id="ext-reason" name="ext_reason" aria-describedby="err-ext-reason"
                            prop:value=move || ext_reason.get()
                            on:input=move |ev| ext_reason.set(event_target_value(&ev)) />
                        <FieldMessage name="reason" scope="ext" errors=ext_errors.into() />
                    </div>
                    {rule.consent.then(|| view! {
                        <label class="check" for="ext-consent">
                            <input type="checkbox" id="ext-consent" name="consent" data-testid="ext-consent"
                                aria-describedby="err-ext-consent"
                                prop:checked=move || consent.get()
                                on:change=move |ev| consent.set(event_target_checked(&ev)) />
                            <span>{tr(T::ConsentLabel)}</span>
                        </label>
                        <FieldMessage name="consent" scope="ext" errors=ext_errors.into() />
                    })}
                    <button type="submit" class="btn btn-secondary" data-testid="ask-extension"
                        disabled=move || pending.get()>{tr(T::AskExtension)}</button>
                </form>
            })}
            {pending_ext.filter(|_| rights.decide_extension).map(|e| {
                let ext = e.id;
                view! {
                    <div class="clock-form" data-testid="decide-extension">
                        <div class="field">
                            <label for="decision-note">{tr(T::DecisionNote)}</label>
                            <input type="text" id="decision-note" name="note" aria-describedby="err-decide-note"
                                prop:value=move || decision_note.get()
                                on:input=move |ev| decision_note.set(event_target_value(&ev)) />
                            <FieldMessage name="note" scope="decide" errors=errors.into() />
                        </div>
                        <div class="note-actions">
                            <button type="button" class="btn btn-primary" data-testid="approve-extension"
                                disabled=move || pending.get() on:click=move |_| decide(ext, true)>{tr(T::Approve)}</button>
                            <button type="button" class="btn btn-secondary" data-testid="refuse-extension"
                                disabled=move || pending.get() on:click=move |_| decide(ext, false)>{tr(T::Refuse)}</button>
                        </div>
                    </div>
                }
            })}
        </section>
    })
}

/// The message thread between the center and the handlers, with the form to write.
#[component]
pub fn MessagesPanel(
    id: i64,
    events: Signal<Vec<CaseEvent>>,
    may_write: Signal<bool>,
    done: Callback<CaseDetail>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let lang = use_lang();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewMessage {
            text: text.get_untracked().trim().to_owned(),
        };
        if let Err(fields) = request.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        let sent = Callback::new(move |d: CaseDetail| {
            text.set(String::new());
            done.run(d);
        });
        submit_with(pending, errors, T::MessageSent, sent, move || async move {
            api::send_message(id, &request).await
        });
    };
    let messages = move || {
        events
            .get()
            .into_iter()
            .filter(|e| e.kind == EventKind::Message)
            .collect::<Vec<_>>()
    };
    view! {
        <section class="panel" aria-labelledby="messages-title" data-testid="messages">
            <h2 id="messages-title" class="panel-title">{tr(T::MessagesTitle)}</h2>
            {move || {
                let list = messages();
                if list.is_empty() {
                    view! { <p class="hint">{tr(T::NoMessages)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="thread">
                            {list.into_iter().rev().map(|m| view! {
                                <li class="thread-message" data-testid="message">
                                    <p class="thread-meta">{m.actor_name.clone()} " · " {time::date_time(m.at)}</p>
                                    <p class="prose">{m.text.unwrap_or_default()}</p>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <Show when=move || may_write.get()>
                <form class="note-form" on:submit=send novalidate data-testid="message-form">
                    <div class="field">
                        <label for="message-text" class="sr-only">{tr(T::MessagesTitle)}</label>
                        <textarea id="message-text" name="text" rows="2" aria-describedby="err-message-text"
                            placeholder=move || T::MessagePlaceholder.get(lang.get())
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        <FieldMessage name="text" scope="message" errors=errors.into() />
                    </div>
                    <button type="submit" class="btn btn-primary" data-testid="send-message"
                        disabled=move || pending.get()>{tr(T::SendMessage)}</button>
                </form>
            </Show>
        </section>
    }
}

/// The police notice's state, as a fact of the handling panel.
#[component]
pub fn PoliceNoticeFact(notice: PoliceNotice) -> impl IntoView {
    let lang = use_lang();
    let PoliceNotice {
        department,
        acknowledged_by,
        acknowledged_at,
        ..
    } = notice;
    let pending = acknowledged_at.is_none();
    let text = match (department, acknowledged_by, acknowledged_at) {
        (_, Some(by), Some(at)) => Signal::derive(move || {
            format!(
                "{} {by} {}",
                T::PoliceAckBy.get(lang.get()),
                time::date_time(at)
            )
        }),
        (Some(_), _, _) => {
            Signal::derive(move || T::PoliceNoticePending.get(lang.get()).to_owned())
        }
        (None, _, _) => Signal::derive(move || T::PoliceNoticeNoStation.get(lang.get()).to_owned()),
    };
    view! {
        <div><dt>{tr(T::PoliceNoticeLabel)}</dt>
            <dd data-testid="police-notice" data-pending=pending.to_string()>
                <span class=if pending { "chip chip-police" } else { "chip" }>{move || text.get()}</span>
            </dd>
        </div>
    }
}

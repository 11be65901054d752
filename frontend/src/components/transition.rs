//! The dialog a move that needs data opens, on the board and on the case page: routing picks a
//! handler (with their load) and cooperating units; returning, reopening and not accepting ask
//! for a reason (and the route told); closing asks for the result; archiving for the retention
//! period. The dialog sends `POST /api/cases/{id}/transitions` itself and reports the outcome.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::TransitionRequest;
use shared::error::{ErrorKind, FieldError};
use shared::model::{CaseCard, CaseDetail, Handler, HandlerRef, LegalRoute, Outcome, Stage};
use shared::workflow::{Command, CommandKind, RETENTION_YEARS};

use crate::api;
use crate::components::feedback::Loading;
use crate::components::field::FieldMessage;
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::board::command_name;
use crate::logic::dialog::{DialogForm, asks_route, build_command, route_required};

/// The case a dialog acts on: enough to send the transition and to title the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogTarget {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
}

impl DialogTarget {
    /// The target of a board card.
    pub fn of_card(card: &CaseCard) -> DialogTarget {
        DialogTarget {
            id: card.id,
            code: card.code.clone(),
            version: card.version,
            stage: card.stage,
            handler: card.handler,
        }
    }

    /// The target of an open case.
    pub fn of_case(case: &CaseDetail) -> DialogTarget {
        DialogTarget {
            id: case.id,
            code: case.code.clone(),
            version: case.version,
            stage: case.stage,
            handler: case.handler,
        }
    }
}

/// How a dialog ended.
#[derive(Debug, Clone)]
pub enum DialogEnd {
    /// Closed without a change.
    Cancelled,
    /// The server moved the case; here it is.
    Done(Box<CaseDetail>),
    /// The case changed meanwhile (409): the error carries the current case.
    Stale(api::Error),
}

/// Sends a transition.
pub async fn send_transition(target: &DialogTarget, command: Command) -> api::Result<CaseDetail> {
    api::transition(
        target.id,
        &TransitionRequest {
            version: target.version,
            command,
        },
    )
    .await
}

/// The transition dialog for `kind` on `target`.
#[component]
pub fn TransitionDialog(
    target: DialogTarget,
    kind: CommandKind,
    /// Called once, when the dialog ends.
    on_end: Callback<DialogEnd>,
) -> impl IntoView {
    let lang = use_lang();
    let form = RwSignal::new(DialogForm::for_command(kind));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let general = RwSignal::new(None::<api::Error>);
    let pending = RwSignal::new(false);
    let errors_signal = Signal::from(errors);
    let first_field = NodeRef::<html::Div>::new();

    let (from, to) = kind.edge();
    let case_id = target.id;
    let code = target.code.clone();
    let title = {
        let code = code.clone();
        move || format!("{} · {}", kind.label(lang.get()), code)
    };
    let subtitle = move || format!("{} → {}", from.label(lang.get()), to.label(lang.get()));

    // Focus the first input when the dialog opens.
    Effect::new(move || {
        if let Some(body) = first_field.get() {
            request_animation_frame(move || {
                if let Ok(Some(el)) = body.query_selector("select, textarea, input, button")
                    && let Some(el) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&el)
                {
                    let _ = el.focus();
                }
            });
        }
    });

    let cancel = move || {
        if !pending.get_untracked() {
            on_end.run(DialogEnd::Cancelled);
        }
    };

    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() {
                return;
            }
            let l = lang.get_untracked();
            let command = match form.with_untracked(|f| build_command(kind, f, l)) {
                Ok(c) => c,
                Err(fields) => {
                    errors.set(fields);
                    return;
                }
            };
            errors.set(Vec::new());
            general.set(None);
            pending.set(true);
            let target = target.clone();
            spawn_local(async move {
                let result = send_transition(&target, command).await;
                pending.set(false);
                match result {
                    Ok(case) => {
                        on_end.try_run(DialogEnd::Done(Box::new(case)));
                    }
                    Err(err) if err.kind() == Some(ErrorKind::Conflict) => {
                        on_end.try_run(DialogEnd::Stale(err));
                    }
                    Err(err) => {
                        let fields = err.fields(lang.get_untracked());
                        errors.set(fields);
                        general.set(Some(err));
                    }
                }
            });
        }
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            cancel();
        }
    };

    let fields = match kind {
        CommandKind::Route => {
            view! { <RouteFields form errors=errors_signal case_id /> }.into_any()
        }
        CommandKind::Return
        | CommandKind::Decline
        | CommandKind::Reopen
        | CommandKind::NotAccept => {
            let label = match kind {
                CommandKind::Return => T::ReturnReason,
                CommandKind::Decline => T::DeclineReason,
                CommandKind::Reopen => T::ReopenReason,
                _ => T::NotAcceptReason,
            };
            view! {
                <ReasonField form errors=errors_signal label />
                {asks_route(kind).then(|| view! { <RouteToldField form errors=errors_signal kind /> })}
            }
                .into_any()
        }
        CommandKind::Close => view! { <CloseFields form errors=errors_signal /> }.into_any(),
        CommandKind::Archive => view! { <ArchiveFields form errors=errors_signal /> }.into_any(),
        CommandKind::Accept | CommandKind::ExpireResponse => {
            view! { <p class="hint">{tr(T::AcceptHint)}</p> }.into_any()
        }
    };

    view! {
        <div class="modal-backdrop" on:click=move |ev: leptos::ev::MouseEvent| {
            // A click on the backdrop itself (not inside the dialog) cancels.
            if ev.target() == ev.current_target() {
                cancel();
            }
        }>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby="dialog-title"
                data-testid="move-dialog"
                data-command=command_name(kind)
                data-code=code
                on:keydown=on_keydown
            >
                <form on:submit=submit novalidate>
                    <header class="modal-head">
                        <h2 id="dialog-title">{title}</h2>
                        <p class="modal-sub">{subtitle}</p>
                    </header>
                    <div class="modal-body" node_ref=first_field>
                        {fields}
                        {move || general.get().map(|err| view! {
                            <p class="form-error" role="alert" data-testid="dialog-error">
                                {move || err.message(lang.get())}
                            </p>
                        })}
                    </div>
                    <footer class="modal-foot">
                        <button type="button" class="btn btn-secondary" data-testid="cancel-move"
                            on:click=move |_| cancel() disabled=move || pending.get()>
                            {tr(T::Cancel)}
                        </button>
                        <button type="submit" class="btn btn-primary" data-testid="confirm-move"
                            disabled=move || pending.get()>
                            {move || if pending.get() { T::Saving.get(lang.get()).to_owned() } else { kind.label(lang.get()).to_owned() }}
                        </button>
                    </footer>
                </form>
            </div>
        </div>
    }
}

/// Lead handler, cooperating units and a note.
#[component]
fn RouteFields(
    form: RwSignal<DialogForm>,
    errors: Signal<Vec<FieldError>>,
    case_id: i64,
) -> impl IntoView {
    let lang = use_lang();
    let handlers = LocalResource::new(api::handlers);
    view! {
        <Suggested form case_id />
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match handlers.await {
                    Err(err) => view! {
                        <p class="form-error" role="alert">
                            {tr(T::HandlersFailed)} " " {move || err.message(lang.get())}
                        </p>
                    }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="hint">{tr(T::NoHandlers)}</p> }.into_any(),
                    Ok(list) => view! { <HandlerPicker list form errors /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The mediators suggested for the case (specialty, load, village; 回避 left out), best first;
/// choosing one fills the handler. Help, not a step: if they cannot be had, nothing shows.
#[component]
fn Suggested(form: RwSignal<DialogForm>, case_id: i64) -> impl IntoView {
    let lang = use_lang();
    let found = LocalResource::new(move || api::suggestions(case_id));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(s) = found.await else { return ().into_any() };
                if s.suggestions.is_empty() && s.excluded.is_empty() {
                    return ().into_any();
                }
                let excluded = s.excluded.join("、");
                let has_excluded = !s.excluded.is_empty();
                view! {
                    <div class="field suggestions" data-testid="suggestions" role="group" aria-labelledby="dlg-suggested">
                        <span id="dlg-suggested" class="label">{tr(T::SuggestedMediators)}</span>
                        <div class="suggestion-list">
                            {s.suggestions.into_iter().take(shared::roster::SUGGESTIONS_SHOWN).map(|sg| {
                                let value = sg.handler.to_string();
                                let (pressed, chosen) = (value.clone(), value.clone());
                                view! {
                                    <button type="button" class="suggestion" data-testid="suggestion" data-handler=value
                                        aria-pressed=move || form.with(|f| f.handler == pressed).to_string()
                                        on:click=move |_| {
                                            let v = chosen.clone();
                                            form.update(|f| {
                                                f.cooperating.retain(|c| *c != v);
                                                f.handler = v;
                                            });
                                        }>
                                        <span class="suggestion-name">{sg.name.clone()}</span>
                                        <span class="suggestion-why">{move || sg.reason(lang.get())}</span>
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                        {has_excluded.then(|| view! {
                            <p class="hint" data-testid="suggestions-excluded">{tr(T::ExcludedNotSuggested)} " " {excluded}</p>
                        })}
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

fn handler_option(h: &Handler, lang: shared::Lang) -> String {
    format!("{} · {}", h.name, i18n::open_load(h.open_cases, lang))
}

#[component]
fn HandlerPicker(
    list: Vec<Handler>,
    form: RwSignal<DialogForm>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let lang = use_lang();
    let (mediators, departments): (Vec<Handler>, Vec<Handler>) = list
        .into_iter()
        .partition(|h| matches!(h.handler, HandlerRef::Mediator(_)));
    let group = move |items: Vec<Handler>| {
        items
            .into_iter()
            .map(|h| {
                let value = h.handler.to_string();
                let selected_value = value.clone();
                view! {
                    <option value=value selected=move || form.with(|f| f.handler == selected_value)>
                        {move || handler_option(&h, lang.get())}
                    </option>
                }
            })
            .collect_view()
    };
    let all: Vec<Handler> = mediators
        .iter()
        .chain(departments.iter())
        .cloned()
        .collect();
    let cooperating = all
        .into_iter()
        .map(|h| {
            let value = h.handler.to_string();
            let id = format!("coop-{}", value.replace(':', "-"));
            let label_for = id.clone();
            let (v1, v2, v3) = (value.clone(), value.clone(), value.clone());
            view! {
                <label class="check" for=label_for hidden=move || form.with(|f| f.handler == v1)>
                    <input
                        type="checkbox"
                        id=id
                        name="cooperating"
                        value=value
                        prop:checked=move || form.with(|f| f.cooperating.contains(&v2))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|f| f.toggle_cooperating(&v3, on));
                        }
                    />
                    <span>{h.name}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for="dlg-handler">{tr(T::HandlerLabel)} <span class="req">"*"</span></label>
            <select
                id="dlg-handler"
                name="handler"
                aria-describedby="err-command.handler"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.update(|f| {
                        f.cooperating.retain(|c| *c != v);
                        f.handler = v;
                    });
                }
            >
                <option value="" selected=move || form.with(|f| f.handler.is_empty())>{tr(T::Choose)}</option>
                <optgroup label=tr(T::Mediators)>{group(mediators)}</optgroup>
                <optgroup label=tr(T::Departments)>{group(departments)}</optgroup>
            </select>
            <FieldMessage name="command.handler" errors />
        </div>
        <fieldset class="field">
            <legend>{tr(T::Cooperating)} <span class="opt">{tr(T::Optional)}</span></legend>
            <div class="check-grid">{cooperating}</div>
            <FieldMessage name="command.cooperating" errors />
        </fieldset>
        <div class="field">
            <label for="dlg-note">{tr(T::RouteNote)} <span class="opt">{tr(T::Optional)}</span></label>
            <textarea
                id="dlg-note"
                name="note"
                rows="2"
                prop:value=move || form.with(|f| f.note.clone())
                on:input=move |ev| form.update(|f| f.note = event_target_value(&ev))
            ></textarea>
            <FieldMessage name="command.note" errors />
        </div>
    }
}

#[component]
fn ReasonField(
    form: RwSignal<DialogForm>,
    errors: Signal<Vec<FieldError>>,
    label: T,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="dlg-reason">{tr(label)} <span class="req">"*"</span></label>
            <textarea
                id="dlg-reason"
                name="reason"
                rows="3"
                aria-describedby="err-command.reason"
                prop:value=move || form.with(|f| f.reason.clone())
                on:input=move |ev| form.update(|f| f.reason = event_target_value(&ev))
            ></textarea>
            <FieldMessage name="command.reason" errors />
        </div>
    }
}

#[component]
fn RouteToldField(
    form: RwSignal<DialogForm>,
    errors: Signal<Vec<FieldError>>,
    kind: CommandKind,
) -> impl IntoView {
    let lang = use_lang();
    let required = move || form.with(|f| route_required(kind, f));
    view! {
        <div class="field">
            <label for="dlg-route">
                {tr(T::RouteTold)} " "
                {move || if required() {
                    view! { <span class="req">"*"</span> }.into_any()
                } else {
                    view! { <span class="opt">{tr(T::Optional)}</span> }.into_any()
                }}
            </label>
            <select
                id="dlg-route"
                name="route_told"
                aria-describedby="err-command.route_told"
                on:change=move |ev| form.update(|f| f.route_told = event_target_value(&ev))
            >
                <option value="" selected=move || form.with(|f| f.route_told.is_empty())>{tr(T::Choose)}</option>
                {LegalRoute::ALL
                    .iter()
                    .map(|r| {
                        let r = *r;
                        view! {
                            <option value=r.as_str() selected=move || form.with(|f| f.route_told == r.as_str())>
                                {move || r.label(lang.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage name="command.route_told" errors />
        </div>
    }
}

#[component]
fn CloseFields(form: RwSignal<DialogForm>, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="field">
            <label for="dlg-outcome">{tr(T::Outcome)} <span class="req">"*"</span></label>
            <select
                id="dlg-outcome"
                name="outcome"
                aria-describedby="err-command.outcome"
                on:change=move |ev| form.update(|f| f.outcome = event_target_value(&ev))
            >
                <option value="" selected=move || form.with(|f| f.outcome.is_empty())>{tr(T::Choose)}</option>
                {Outcome::CLOSING
                    .iter()
                    .map(|o| {
                        let o = *o;
                        view! {
                            <option value=o.as_str() selected=move || form.with(|f| f.outcome == o.as_str())>
                                {move || o.label(lang.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage name="command.outcome" errors />
        </div>
        <div class="field">
            <label for="dlg-summary">{tr(T::ResultSummary)} <span class="req">"*"</span></label>
            <textarea
                id="dlg-summary"
                name="summary"
                rows="3"
                aria-describedby="err-command.summary"
                prop:value=move || form.with(|f| f.summary.clone())
                on:input=move |ev| form.update(|f| f.summary = event_target_value(&ev))
            ></textarea>
            <FieldMessage name="command.summary" errors />
        </div>
        <RouteToldField form errors kind=CommandKind::Close />
    }
}

#[component]
fn ArchiveFields(form: RwSignal<DialogForm>, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="field">
            <label for="dlg-retention">{tr(T::Retention)} <span class="req">"*"</span></label>
            <select
                id="dlg-retention"
                name="retention_years"
                on:change=move |ev| form.update(|f| f.retention_years = event_target_value(&ev))
            >
                {RETENTION_YEARS
                    .iter()
                    .map(|y| {
                        let y = *y;
                        view! {
                            <option value=y.to_string() selected=move || form.with(|f| f.retention_years == y.to_string())>
                                {move || i18n::years(y, lang.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage name="command.retention_years" errors />
        </div>
        <p class="hint">{tr(T::ArchiveHint)}</p>
    }
}

//! Joint meetings (联席会议): `/meetings` lists them and, for the center's lead, schedules one
//! (title, time, place, the period it reviews, the departments and people invited);
//! `/meetings/:id` is the meeting: who is invited and who came, the agenda (drawn from the
//! cases that need it; the lead removes items, adds by code or from the candidates), the
//! decisions (who does what by when — each becomes an urging or a task on its case), the
//! minutes, and 三调对接. Printing it gives the minutes (纪要) on A4.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::error::FieldError;
use shared::meetings::{
    AgendaItem, HoldMeeting, MeetingDetail, MeetingSummary, NewDecision, NewMeeting,
};
use shared::model::{Handler, HandlerRef, MeetingStatus, Role};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading, show_failure};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

fn is_lead() -> Memo<bool> {
    let session = use_session();
    Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Lead))
    })
}

fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The departments' and the people's ids among the units ticked.
fn split_units(units: &HashSet<HandlerRef>) -> (Vec<i64>, Vec<i64>) {
    let mut departments = Vec::new();
    let mut people = Vec::new();
    for unit in units {
        match unit {
            HandlerRef::Department(id) => departments.push(*id),
            HandlerRef::Mediator(id) => people.push(*id),
        }
    }
    (departments, people)
}

/// A checkbox for one unit (a department or a person) in a set of them; its test id is
/// `{prefix}-department-3` or `{prefix}-mediator-7`.
#[component]
fn UnitCheck(
    prefix: &'static str,
    unit: HandlerRef,
    name: String,
    set: RwSignal<HashSet<HandlerRef>>,
) -> impl IntoView {
    let id = format!("{prefix}-{}", unit.to_string().replace(':', "-"));
    let (for_id, input_id) = (id.clone(), id.clone());
    view! {
        <label class="check" for=for_id>
            <input type="checkbox" id=input_id data-testid=id
                prop:checked=move || set.with(|c| c.contains(&unit))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    set.update(|c| { if on { c.insert(unit); } else { c.remove(&unit); } });
                } />
            <span>{name}</span>
        </label>
    }
}

/// `/meetings`.
#[component]
pub fn MeetingsPage() -> impl IntoView {
    let lead = is_lead();
    let list = LocalResource::new(api::meetings);
    view! {
        <div class="page page-wide meetings-page" data-testid="meetings-page">
            <div class="page-head">
                <div>
                    <h1 class="page-title">{tr(T::MeetingsTitle)}</h1>
                    <p class="muted">{tr(T::MeetingsSubtitle)}</p>
                </div>
            </div>
            <Show when=move || lead.get()>
                <NewMeetingForm />
            </Show>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorBox error=err title=T::MeetingsLoadFailed retry=Callback::new(move |_| list.refetch()) />
                }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! {
                    <p class="state state-empty" data-testid="meetings-empty">{tr(T::MeetingsEmpty)}</p>
                }.into_any(),
                Some(Ok(items)) => view! { <MeetingList items /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn MeetingList(items: Vec<MeetingSummary>) -> impl IntoView {
    let lang = use_lang();
    let rows = items
        .into_iter()
        .map(|m| {
            let status = m.status;
            view! {
                <tr data-testid="meeting-row">
                    <td class="nowrap">{when(m.starts_at)}</td>
                    <th scope="row"><a href=format!("/meetings/{}", m.id) data-testid="meeting-link">{m.title.clone()}</a></th>
                    <td>{m.place.clone()}</td>
                    <td>{m.departments.join("、")}</td>
                    <td class="num">{m.items}</td>
                    <td class="num">{m.decisions}</td>
                    <td><span class=if status == MeetingStatus::Held { "status-tag status-held" } else { "status-tag" }>{move || status.label(lang.get())}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap panel">
            <table class="table" data-testid="meetings-table">
                <thead><tr>
                    <th scope="col">{tr(T::MeetingWhen)}</th>
                    <th scope="col">{tr(T::MeetingTitleLabel)}</th>
                    <th scope="col">{tr(T::MeetingPlace)}</th>
                    <th scope="col">{tr(T::MeetingDepartments)}</th>
                    <th scope="col" class="num">{tr(T::MeetingItems)}</th>
                    <th scope="col" class="num">{tr(T::MeetingDecisions)}</th>
                    <th scope="col">{tr(T::MeetingStatusLabel)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The lead's form to schedule a meeting.
#[component]
fn NewMeetingForm() -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let handlers = LocalResource::new(api::handlers);
    let today = time::today();
    let title = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let from = RwSignal::new(
        (today - chrono::Days::new(90))
            .format("%Y-%m-%d")
            .to_string(),
    );
    let to = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let chosen = RwSignal::new(HashSet::<HandlerRef>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let errs = Signal::derive(move || errors.get());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (departments, people) = split_units(&chosen.get_untracked());
        let day = |s: String| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
        let request = NewMeeting {
            title: title.get_untracked(),
            starts_at: chrono::NaiveDateTime::parse_from_str(
                &starts.get_untracked(),
                "%Y-%m-%dT%H:%M",
            )
            .ok(),
            place: place.get_untracked(),
            period_from: day(from.get_untracked()),
            period_to: day(to.get_untracked()),
            departments,
            people,
        };
        let l = lang.get_untracked();
        if let Err(fields) = request.check(l) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::create_meeting(&request).await;
            pending.set(false);
            match result {
                Ok(m) => {
                    use_notices().success(T::MeetingScheduled.get(l));
                    navigate(&format!("/meetings/{}", m.id), Default::default());
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let invite = move |list: Vec<Handler>, departments: bool| {
        list.into_iter()
            .filter(|h| matches!(h.handler, HandlerRef::Department(_)) == departments)
            .map(|h| view! { <UnitCheck prefix="invite" unit=h.handler name=h.name set=chosen /> })
            .collect_view()
    };
    view! {
        <form class="panel meeting-form" data-testid="meeting-form" on:submit=submit novalidate>
            <h2 class="panel-title">{tr(T::MeetingNew)}</h2>
            <div class="form-grid">
                <label class="field" for="meeting-title">
                    <span class="field-name">{tr(T::MeetingTitleLabel)}</span>
                    <input id="meeting-title" type="text" name="title" data-testid="meeting-title" maxlength="60"
                        aria-describedby="err-title"
                        prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                    <FieldMessage name="title" errors=errs />
                </label>
                <label class="field" for="meeting-starts">
                    <span class="field-name">{tr(T::MeetingWhen)}</span>
                    <input id="meeting-starts" type="datetime-local" name="starts_at" data-testid="meeting-starts"
                        aria-describedby="err-starts_at"
                        prop:value=move || starts.get() on:input=move |ev| starts.set(event_target_value(&ev)) />
                    <FieldMessage name="starts_at" errors=errs />
                </label>
                <label class="field" for="meeting-place">
                    <span class="field-name">{tr(T::MeetingPlace)}</span>
                    <input id="meeting-place" type="text" name="place" data-testid="meeting-place" maxlength="60"
                        prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev)) />
                    <FieldMessage name="place" errors=errs />
                </label>
                <label class="field" for="meeting-from">
                    <span class="field-name">{tr(T::MeetingPeriodFrom)}</span>
                    <input id="meeting-from" type="date" name="period_from" data-testid="meeting-from"
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                    <FieldMessage name="period_from" errors=errs />
                </label>
                <label class="field" for="meeting-to">
                    <span class="field-name">{tr(T::MeetingPeriodTo)}</span>
                    <input id="meeting-to" type="date" name="period_to" data-testid="meeting-to"
                        aria-describedby="err-period_to"
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                    <FieldMessage name="period_to" errors=errs />
                </label>
            </div>
            {move || handlers.get().and_then(Result::ok).map(|list| view! {
                <fieldset class="invite" data-testid="invite-departments">
                    <legend>{tr(T::MeetingDepartments)}</legend>
                    {invite(list.clone(), true)}
                    <FieldMessage name="departments" errors=errs />
                </fieldset>
                <fieldset class="invite" data-testid="invite-people">
                    <legend>{tr(T::MeetingPeople)}</legend>
                    {invite(list, false)}
                    <FieldMessage name="people" errors=errs />
                </fieldset>
            })}
            <div class="inline-actions">
                <button type="submit" class="btn btn-primary" data-testid="meeting-submit" disabled=move || pending.get()>
                    {tr(T::MeetingSchedule)}
                </button>
            </div>
        </form>
    }
}

/// `/meetings/:id`.
#[component]
pub fn MeetingPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let meeting = RwSignal::new(None::<MeetingDetail>);
    let loaded = LocalResource::new(move || api::meeting(id.get()));
    Effect::new(move || {
        if let Some(Ok(m)) = loaded.get() {
            meeting.set(Some(m));
        }
    });
    view! {
        <div class="page page-wide meeting-page" data-testid="meeting-page">
            {move || match (meeting.get(), loaded.get()) {
                (Some(m), _) => view! { <Meeting m meeting /> }.into_any(),
                (None, Some(Err(err))) => view! {
                    <ErrorBox error=err title=T::MeetingLoadFailed retry=Callback::new(move |_| loaded.refetch()) />
                }.into_any(),
                _ => view! { <Loading /> }.into_any(),
            }}
        </div>
    }
}

/// The meeting, with the lead's controls while it is to be held.
#[component]
fn Meeting(m: MeetingDetail, meeting: RwSignal<Option<MeetingDetail>>) -> impl IntoView {
    let lang = use_lang();
    let lead = is_lead();
    let scheduled = m.status == MeetingStatus::Scheduled;
    let editable = move || lead.get() && scheduled;
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let status = m.status;
    let held = !scheduled;
    let attendees = |list: &[shared::meetings::Invitee]| {
        list.iter()
            .filter(|i| !held || i.attended)
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    let departments = attendees(&m.departments);
    let people = attendees(&m.people);
    let absent: Vec<String> = m
        .departments
        .iter()
        .chain(&m.people)
        .filter(|i| held && !i.attended)
        .map(|i| i.name.clone())
        .collect();
    let absent = absent.join("、");
    let has_absent = !absent.is_empty();
    view! {
        <div class="page-head meeting-head">
            <div>
                <p class="minutes-kicker print-only">{tr(T::MinutesTitle)}</p>
                <h1 class="page-title" data-testid="meeting-title">{m.title.clone()}</h1>
                <p class="muted meeting-meta">
                    {when(m.starts_at)} " · " {m.place.clone()} " · "
                    <span data-testid="meeting-status">{move || status.label(lang.get())}</span>
                </p>
            </div>
            <div class="head-actions no-print">
                <a class="btn btn-ghost" href="/meetings">{tr(T::MeetingsBack)}</a>
                <button type="button" class="btn" data-testid="minutes-print" on:click=print>{tr(T::MinutesPrint)}</button>
            </div>
        </div>
        <section class="panel meeting-facts" data-testid="meeting-facts">
            <dl class="facts">
                <div><dt>{tr(T::MeetingConvener)}</dt><dd>{m.convened_by.clone()}</dd></div>
                <div><dt>{tr(T::MeetingPeriod)}</dt><dd>{format!("{} — {}", m.period_from, m.period_to)}</dd></div>
                <div class="wide">
                    <dt>{move || if held { T::MeetingAttendedDepartments.get(lang.get()) } else { T::MeetingDepartments.get(lang.get()) }}</dt>
                    <dd data-testid="meeting-departments">{departments}</dd>
                </div>
                <div class="wide">
                    <dt>{move || if held { T::MeetingAttendedPeople.get(lang.get()) } else { T::MeetingPeople.get(lang.get()) }}</dt>
                    <dd>{people}</dd>
                </div>
                {has_absent.then(|| view! { <div class="wide"><dt>{tr(T::MeetingAbsent)}</dt><dd data-testid="meeting-absent">{absent.clone()}</dd></div> })}
            </dl>
        </section>
        <Agenda m=m.clone() meeting editable=Signal::derive(editable) />
        <Decisions m=m.clone() meeting lead=Signal::derive(move || lead.get()) />
        <Docking m=m.clone() />
        {if scheduled {
            view! { <Show when=move || lead.get()><HoldForm m=m.clone() meeting /></Show> }.into_any()
        } else {
            view! {
                <section class="panel" data-testid="meeting-minutes">
                    <h2 class="panel-title">{tr(T::MinutesText)}</h2>
                    <p class="minutes-text">{m.minutes}</p>
                </section>
            }.into_any()
        }}
    }
}

fn reasons_text(item: &AgendaItem, lang: shared::Lang) -> String {
    item.reasons
        .iter()
        .map(|r| r.label(lang))
        .collect::<Vec<_>>()
        .join("、")
}

/// The agenda, the lead's remove and add, and the candidates.
#[component]
fn Agenda(
    m: MeetingDetail,
    meeting: RwSignal<Option<MeetingDetail>>,
    editable: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let id = m.id;
    let decided: HashSet<i64> = m.decisions.iter().map(|d| d.item_id).collect();
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let run = move |call: std::pin::Pin<
        Box<dyn std::future::Future<Output = api::Result<MeetingDetail>>>,
    >,
                    ok: T| {
        let l = lang.get_untracked();
        spawn_local(async move {
            match call.await {
                Ok(next) => {
                    errors.set(Vec::new());
                    code.set(String::new());
                    use_notices().success(ok.get(l));
                    meeting.set(Some(next));
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let rows = m
        .items
        .iter()
        .map(|item| {
            let item_id = item.id;
            let removable = !decided.contains(&item_id);
            let l = lang.get_untracked();
            view! {
                <tr data-testid="agenda-row" data-code=item.code.clone()>
                    <th scope="row" class="nowrap"><a href=format!("/cases/{}", item.case_id)>{item.code.clone()}</a></th>
                    <td>{format!("{} · {}", item.kind.label(l), item.category.label(l))}</td>
                    <td>{item.village.clone()}</td>
                    <td>{item.handler.clone().unwrap_or_else(|| "—".into())}</td>
                    <td>{item.stage.label(l)}</td>
                    <td class="nowrap">{item.due_on.to_string()}</td>
                    <td><span class="reasons">{reasons_text(item, l)}</span></td>
                    <td class="no-print">
                        <Show when=move || editable.get() && removable>
                            <button type="button" class="btn btn-small btn-ghost" data-testid="agenda-remove"
                                on:click=move |_| run(Box::pin(api::remove_agenda_item(id, item_id)), T::AgendaRemoved)>
                                {tr(T::AgendaRemove)}
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let candidates = m
        .candidates
        .iter()
        .map(|item| {
            let code_of = item.code.clone();
            let l = lang.get_untracked();
            view! {
                <li data-testid="candidate">
                    <span class="nowrap">{item.code.clone()}</span>
                    " " <span class="muted">{format!("{} · {} · {}", item.category.label(l), item.village, reasons_text(item, l))}</span>
                    <button type="button" class="btn btn-small" data-testid="candidate-add"
                        on:click=move |_| run(Box::pin({ let c = code_of.clone(); async move { api::add_agenda_item(id, &c).await } }), T::AgendaAdded)>
                        {tr(T::AgendaAdd)}
                    </button>
                </li>
            }
        })
        .collect_view();
    let has_candidates = !m.candidates.is_empty();
    let empty = m.items.is_empty();
    let others = m.other_items;
    view! {
        <section class="panel" aria-labelledby="agenda-title" data-testid="agenda">
            <h2 class="panel-title" id="agenda-title">{tr(T::Agenda)}</h2>
            {(others > 0).then(|| view! { <p class="muted small" data-testid="agenda-others">{move || crate::i18n::agenda_others(others, lang.get())}</p> })}
            {if empty {
                view! { <p class="muted">{tr(T::AgendaEmpty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table agenda-table">
                            <thead><tr>
                                <th scope="col">{tr(T::ColCode)}</th>
                                <th scope="col">{tr(T::ColCategory)}</th>
                                <th scope="col">{tr(T::ColVillage)}</th>
                                <th scope="col">{tr(T::ColHandler)}</th>
                                <th scope="col">{tr(T::ColStage)}</th>
                                <th scope="col">{tr(T::ColDue)}</th>
                                <th scope="col">{tr(T::AgendaWhy)}</th>
                                <th scope="col" class="no-print"><span class="sr-only">{tr(T::AgendaRemove)}</span></th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Show when=move || editable.get()>
                <form class="inline-form no-print" data-testid="agenda-add" on:submit=move |ev| {
                    ev.prevent_default();
                    let c = code.get_untracked();
                    run(Box::pin(async move { api::add_agenda_item(id, &c).await }), T::AgendaAdded);
                }>
                    <label class="field" for="agenda-code">
                        <span class="field-name">{tr(T::AgendaAddByCode)}</span>
                        <input id="agenda-code" type="text" name="code" data-testid="agenda-code" aria-describedby="err-code"
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                        <FieldMessage name="code" errors=errs />
                    </label>
                    <button type="submit" class="btn">{tr(T::AgendaAdd)}</button>
                </form>
                {has_candidates.then(|| view! {
                    <div class="candidates no-print">
                        <h3 class="sub-title">{tr(T::AgendaCandidates)}</h3>
                        <ul class="candidate-list">{candidates.clone()}</ul>
                    </div>
                })}
            </Show>
        </section>
    }
}

/// The decisions, and the lead's form for another.
#[component]
fn Decisions(
    m: MeetingDetail,
    meeting: RwSignal<Option<MeetingDetail>>,
    lead: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let id = m.id;
    let handlers = LocalResource::new(api::handlers);
    let item = RwSignal::new(
        m.items
            .first()
            .map(|i| i.id.to_string())
            .unwrap_or_default(),
    );
    let who = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let due = RwSignal::new(
        (time::today() + chrono::Days::new(7))
            .format("%Y-%m-%d")
            .to_string(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let (Ok(item_id), Ok(who_ref), Ok(due_on)) = (
            item.get_untracked().parse::<i64>(),
            who.get_untracked().parse::<HandlerRef>(),
            chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d"),
        ) else {
            let mut fields = Vec::new();
            if who.get_untracked().parse::<HandlerRef>().is_err() {
                fields.push(FieldError::new("who", shared::Reason::Required, l));
            }
            if chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d").is_err() {
                fields.push(FieldError::new("due_on", shared::Reason::Required, l));
            }
            if item.get_untracked().parse::<i64>().is_err() {
                fields.push(FieldError::new("item_id", shared::Reason::Required, l));
            }
            errors.set(fields);
            return;
        };
        let request = NewDecision {
            item_id,
            who: who_ref,
            what: what.get_untracked(),
            due_on,
        };
        if let Err(fields) = request.check(time::today(), l) {
            errors.set(fields);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::decide(id, &request).await;
            pending.set(false);
            match result {
                Ok(next) => {
                    errors.set(Vec::new());
                    what.set(String::new());
                    use_notices().success(T::DecisionRecorded.get(l));
                    meeting.set(Some(next));
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let rows = m
        .decisions
        .iter()
        .map(|d| {
            let urged = d.urged;
            view! {
                <tr data-testid="decision-row">
                    <th scope="row" class="nowrap"><a href=format!("/cases/{}", d.case_id)>{d.code.clone()}</a></th>
                    <td>{d.who_name.clone()}</td>
                    <td class="decision-what">{d.what.clone()}</td>
                    <td class="nowrap">{d.due_on.to_string()}</td>
                    <td>{move || if urged { T::DecisionUrged.get(lang.get()) } else { T::DecisionTask.get(lang.get()) }}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = m.decisions.is_empty();
    let items = m.items.clone();
    let has_items = !items.is_empty();
    view! {
        <section class="panel" aria-labelledby="decisions-title" data-testid="decisions">
            <h2 class="panel-title" id="decisions-title">{tr(T::Decisions)}</h2>
            {if empty {
                view! { <p class="muted">{tr(T::DecisionsEmpty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{tr(T::ColCode)}</th>
                                <th scope="col">{tr(T::DecisionWho)}</th>
                                <th scope="col">{tr(T::DecisionWhat)}</th>
                                <th scope="col">{tr(T::DecisionDue)}</th>
                                <th scope="col">{tr(T::DecisionAs)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Show when=move || lead.get() && has_items>
                <form class="decision-form no-print" data-testid="decision-form" on:submit=submit novalidate>
                    <h3 class="sub-title">{tr(T::DecisionNew)}</h3>
                    <div class="form-grid">
                        <label class="field" for="decision-item">
                            <span class="field-name">{tr(T::DecisionCase)}</span>
                            <select id="decision-item" name="item_id" data-testid="decision-item"
                                on:change=move |ev| item.set(event_target_value(&ev))>
                                {items.iter().map(|i| {
                                    let v = i.id.to_string();
                                    let v2 = v.clone();
                                    view! { <option value=v selected=move || item.get() == v2>{i.code.clone()}</option> }
                                }).collect_view()}
                            </select>
                            <FieldMessage name="item_id" errors=errs />
                        </label>
                        <label class="field" for="decision-who">
                            <span class="field-name">{tr(T::DecisionWho)}</span>
                            <select id="decision-who" name="who" data-testid="decision-who" aria-describedby="err-who"
                                on:change=move |ev| who.set(event_target_value(&ev))>
                                <option value="">{tr(T::Choose)}</option>
                                {move || handlers.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|h: Handler| {
                                    let v = h.handler.to_string();
                                    view! { <option value=v>{h.name}</option> }
                                }).collect_view()}
                            </select>
                            <FieldMessage name="who" errors=errs />
                        </label>
                        <label class="field" for="decision-due">
                            <span class="field-name">{tr(T::DecisionDue)}</span>
                            <input id="decision-due" type="date" name="due_on" data-testid="decision-due" aria-describedby="err-due_on"
                                prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                            <FieldMessage name="due_on" errors=errs />
                        </label>
                    </div>
                    <label class="field" for="decision-what">
                        <span class="field-name">{tr(T::DecisionWhat)}</span>
                        <textarea id="decision-what" name="what" rows="2" data-testid="decision-what" aria-describedby="err-what"
                            prop:value=move || what.get() on:input=move |ev| what.set(event_target_value(&ev))></textarea>
                        <FieldMessage name="what" errors=errs />
                    </label>
                    <div class="inline-actions">
                        <button type="submit" class="btn btn-primary" data-testid="decision-submit" disabled=move || pending.get()>
                            {tr(T::DecisionRecord)}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// 三调对接 for the meeting's period.
#[component]
fn Docking(m: MeetingDetail) -> impl IntoView {
    let lang = use_lang();
    let rows = m
        .docking
        .iter()
        .map(|r| {
            let kind = r.kind;
            view! {
                <tr>
                    <th scope="row">{move || kind.label(lang.get())}</th>
                    <td class="num">{r.came_from}</td>
                    <td class="num">{r.routed_to}</td>
                    <td class="num">{r.told_to}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="docking-title" data-testid="docking">
            <h2 class="panel-title" id="docking-title">{tr(T::Docking)}</h2>
            <p class="muted small">{tr(T::DockingNote)}</p>
            <div class="table-wrap">
                <table class="table dash-table">
                    <thead><tr>
                        <th scope="col">{tr(T::DockingKind)}</th>
                        <th scope="col" class="num">{tr(T::DockingCame)}</th>
                        <th scope="col" class="num">{tr(T::DockingRouted)}</th>
                        <th scope="col" class="num">{tr(T::DockingTold)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The lead records the meeting held: who came, and the minutes.
#[component]
fn HoldForm(m: MeetingDetail, meeting: RwSignal<Option<MeetingDetail>>) -> impl IntoView {
    let lang = use_lang();
    let id = m.id;
    let version = m.version;
    let came = RwSignal::new(
        m.departments
            .iter()
            .map(|d| HandlerRef::Department(d.id))
            .chain(m.people.iter().map(|p| HandlerRef::Mediator(p.id)))
            .collect::<HashSet<_>>(),
    );
    let minutes = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let (departments_attended, people_attended) = split_units(&came.get_untracked());
        let request = HoldMeeting {
            version,
            departments_attended,
            people_attended,
            minutes: minutes.get_untracked(),
        };
        if let Err(fields) = request.check(l) {
            errors.set(fields);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::hold_meeting(id, &request).await;
            pending.set(false);
            match result {
                Ok(next) => {
                    use_notices().success(T::MeetingHeldDone.get(l));
                    meeting.set(Some(next));
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let boxes = m
        .departments
        .iter()
        .map(|d| (HandlerRef::Department(d.id), d.name.clone()))
        .chain(
            m.people
                .iter()
                .map(|p| (HandlerRef::Mediator(p.id), p.name.clone())),
        )
        .map(|(unit, name)| view! { <UnitCheck prefix="came" unit name set=came /> })
        .collect_view();
    view! {
        <form class="panel hold-form no-print" data-testid="hold-form" on:submit=submit novalidate>
            <h2 class="panel-title">{tr(T::MeetingHold)}</h2>
            <fieldset class="invite">
                <legend>{tr(T::MeetingCame)}</legend>
                {boxes}
                <FieldMessage name="departments_attended" errors=errs />
            </fieldset>
            <label class="field" for="meeting-minutes">
                <span class="field-name">{tr(T::MinutesText)}</span>
                <textarea id="meeting-minutes" name="minutes" rows="5" data-testid="meeting-minutes-input" aria-describedby="err-minutes"
                    prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev))></textarea>
                <FieldMessage name="minutes" errors=errs />
            </label>
            <div class="inline-actions">
                <button type="submit" class="btn btn-primary" data-testid="hold-submit" disabled=move || pending.get()>
                    {tr(T::MeetingHoldSubmit)}
                </button>
            </div>
        </form>
    }
}

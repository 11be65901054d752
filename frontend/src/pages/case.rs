//! One case (`/cases/:id`): where it stands in the closed loop, its details and parties (masked
//! for readers without the right to personal data), its clock, handler and result, the
//! timeline, notes, and the moves the reader may make now — with the board's dialogs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::api::{NewUrging, NoteRequest};
use shared::deadline::DayUnit;
use shared::error::{ErrorKind, FieldError};
use shared::model::{CaseDetail, CaseEvent, HandlerRef, Party, Stage};
use shared::workflow::{Act, Command, CommandKind, allowed_commands};

use crate::api;
use crate::components::badge::{DeadlineBadge, RiskTag};
use crate::components::feedback::{Empty, ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::components::stepper::Stepper;
use crate::components::transition::{DialogEnd, DialogTarget, TransitionDialog, send_transition};
use crate::i18n::{self, T, tr, use_lang};
use crate::live::{LiveEvent, LiveStream};
use crate::logic::board::{actor_of, command_name, facts_of_detail};
use crate::logic::time;
use crate::pages::case_clock::{ClockPanel, ClockRights, MessagesPanel, PoliceNoticeFact};
use crate::pages::case_county::{CountyPanel, CountyRights};
use crate::pages::not_found::NotFound;
use crate::session::use_session;

/// Data that is loading, failed, or here.
#[derive(Debug, Clone, PartialEq)]
enum Remote<T> {
    Loading,
    Failed(api::Error),
    Ready(T),
}

/// The case page.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|id| *id > 0)
        })
    });
    move || match id.get() {
        Some(id) => view! { <CaseView id /> }.into_any(),
        None => view! { <NotFound /> }.into_any(),
    }
}

#[component]
fn CaseView(id: i64) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let notices = use_notices();
    let case = RwSignal::new(Remote::<CaseDetail>::Loading);
    let timeline = RwSignal::new(Remote::<Vec<CaseEvent>>::Loading);
    let sessions: crate::pages::sessions::SessionsData = RwSignal::new(None);
    let agreement = crate::pages::agreement::AgreementState::new();
    let dialog = RwSignal::new(None::<(DialogTarget, CommandKind)>);
    let acting = RwSignal::new(false);

    let load_case = move || {
        spawn_local(async move {
            let result = api::case(id).await;
            case.set(match result {
                Ok(c) => Remote::Ready(c),
                Err(e) => Remote::Failed(e),
            });
        });
    };
    let load_timeline = move || {
        spawn_local(async move {
            let result = api::timeline(id).await;
            timeline.set(match result {
                Ok(t) => Remote::Ready(t),
                Err(e) => Remote::Failed(e),
            });
        });
    };
    load_case();
    load_timeline();
    // Opened: no longer "new" on this person's board, its notifications read.
    spawn_local(async move {
        let _ = api::mark_seen(id).await;
    });
    // Someone else's change to this case shows at once.
    let stream = StoredValue::new_local(None::<LiveStream>);
    stream.set_value(LiveStream::open(
        None,
        move |event| match event {
            // Notes and urgings change the case without moving its version: any event of it
            // reloads it.
            LiveEvent::Card(_, card) if card.id == id => {
                load_case();
                load_timeline();
            }
            LiveEvent::Remove(_, gone) if gone == id => {
                load_case();
                load_timeline();
            }
            _ => {}
        },
        |_| {},
    ));
    on_cleanup(move || stream.set_value(None));

    // After a move: the fresh case, the fresh timeline, and a word about it.
    let moved = move |detail: CaseDetail| {
        let l = lang.get_untracked();
        notices.success(i18n::moved(&detail.code, detail.stage.label(l), l));
        case.set(Remote::Ready(detail));
        load_timeline();
    };
    let refused = move |err: api::Error| {
        let l = lang.get_untracked();
        notices.error(err.message(l), None);
        if err.kind() == Some(ErrorKind::Conflict) {
            match err.current_case() {
                Some(current) => case.set(Remote::Ready(current)),
                None => load_case(),
            }
            load_timeline();
        }
    };

    let act = move |kind: CommandKind| {
        let Remote::Ready(detail) = case.get_untracked() else {
            return;
        };
        let target = DialogTarget::of_case(&detail);
        if kind.needs_data() {
            dialog.set(Some((target, kind)));
            return;
        }
        acting.set(true);
        spawn_local(async move {
            let result = send_transition(&target, Command::Accept).await;
            acting.set(false);
            match result {
                Ok(detail) => moved(detail),
                Err(err) => refused(err),
            }
        });
    };
    let end_dialog = Callback::new(move |end: DialogEnd| {
        dialog.set(None);
        match end {
            DialogEnd::Cancelled => {}
            DialogEnd::Done(detail) => moved(*detail),
            DialogEnd::Stale(err) => refused(err),
        }
    });

    let commands = Memo::new(move |_| {
        let actor = session.user.with(|u| u.as_ref().map(actor_of));
        case.with(|c| match (c, actor) {
            (Remote::Ready(detail), Some(actor)) => {
                allowed_commands(&actor, &facts_of_detail(detail))
            }
            _ => Vec::new(),
        })
    });
    // After a change of the clock or a message: the fresh case and timeline.
    let changed = Callback::new(move |detail: CaseDetail| {
        case.set(Remote::Ready(detail));
        load_timeline();
    });
    let may_message = Memo::new(move |_| {
        let actor = session.user.with(|u| u.as_ref().map(actor_of));
        case.with(|c| match (c, actor) {
            (Remote::Ready(detail), Some(actor)) => {
                detail.stage != Stage::Archived
                    && Act::Message.is_permitted(&actor, &facts_of_detail(detail))
            }
            _ => false,
        })
    });
    let may_note = Memo::new(move |_| {
        let actor = session.user.with(|u| u.as_ref().map(actor_of));
        case.with(|c| match (c, actor) {
            (Remote::Ready(detail), Some(actor)) => {
                Act::Note.is_permitted(&actor, &facts_of_detail(detail))
            }
            _ => false,
        })
    });

    view! {
        <section class="page page-case" data-testid="case-page">
            {move || match case.get() {
                Remote::Loading => view! { <Loading /> }.into_any(),
                Remote::Failed(err) if err.kind() == Some(ErrorKind::NotFound) => view! { <NotFound /> }.into_any(),
                Remote::Failed(err) => view! {
                    <ErrorBox error=err title=T::CaseLoadFailed retry=Callback::new(move |_| load_case()) />
                }.into_any(),
                Remote::Ready(detail) => {
                    let actor = session.user.with(|u| u.as_ref().map(actor_of));
                    let facts = facts_of_detail(&detail);
                    let held = matches!(detail.stage, Stage::Routed | Stage::InHandling);
                    let (may_urge, may_acknowledge) = actor.map_or((false, false), |a| {
                        (held && Act::Urge.is_permitted(&a, &facts), Act::Acknowledge.is_permitted(&a, &facts))
                    });
                    let may_link = actor.is_some_and(|a| Act::LinkRepeat.is_permitted(&a, &facts));
                    let rights = actor.map_or(ClockRights::default(), |a| ClockRights {
                        suspend: Act::Suspend.is_permitted(&a, &facts),
                        ask_extension: Act::AskExtension.is_permitted(&a, &facts),
                        decide_extension: Act::DecideExtension.is_permitted(&a, &facts),
                    });
                    let county = actor.map_or(CountyRights::default(), |a| CountyRights {
                        transfer: shared::county::TRANSFERABLE.contains(&detail.stage)
                            && Act::Transfer.is_permitted(&a, &facts),
                        escalate: detail.stage.is_open()
                            && !detail.county.iter().any(|e| e.is_pending())
                            && Act::EscalateToCounty.is_permitted(&a, &facts),
                        instruct: detail.county.iter().any(|e| e.is_pending())
                            && Act::Instruct.is_permitted(&a, &facts),
                        county_wide: a.role.is_county_wide(),
                    });
                    let reload = Callback::new(move |()| {
                        load_case();
                        load_timeline();
                    });
                    view! {
                        <CaseBody detail commands acting act=Callback::new(act) may_urge may_acknowledge may_link rights
                            county changed reload sessions agreement />
                    }.into_any()
                }
            }}
            <div class="case-lower">
                <MessagesPanel id events=Signal::derive(move || match timeline.get() {
                    Remote::Ready(events) => events,
                    _ => Vec::new(),
                }) may_write=may_message.into() done=changed />
                <section class="panel" aria-labelledby="timeline-title">
                    <h2 id="timeline-title" class="panel-title">{tr(T::TimelineTitle)}</h2>
                    <Show when=move || may_note.get()>
                        <NoteForm id on_added=Callback::new(move |_| load_timeline()) />
                    </Show>
                    {move || match timeline.get() {
                        Remote::Loading => view! { <Loading /> }.into_any(),
                        Remote::Failed(err) => view! {
                            <ErrorBox error=err title=T::TimelineFailed retry=Callback::new(move |_| load_timeline()) />
                        }.into_any(),
                        Remote::Ready(events) if events.is_empty() => view! { <Empty text=T::TimelineEmpty /> }.into_any(),
                        Remote::Ready(events) => view! { <Timeline events /> }.into_any(),
                    }}
                </section>
            </div>
            {move || dialog.get().map(|(target, kind)| view! {
                <TransitionDialog target kind on_end=end_dialog />
            })}
        </section>
    }
}

#[component]
fn CaseBody(
    detail: CaseDetail,
    commands: Memo<Vec<CommandKind>>,
    acting: RwSignal<bool>,
    act: Callback<CommandKind>,
    may_urge: bool,
    may_acknowledge: bool,
    may_link: bool,
    rights: ClockRights,
    county: CountyRights,
    changed: Callback<CaseDetail>,
    reload: Callback<()>,
    sessions: crate::pages::sessions::SessionsData,
    agreement: crate::pages::agreement::AgreementState,
) -> impl IntoView {
    let urgings_detail = detail.clone();
    let county_detail = detail.clone();
    let clock_detail = detail.clone();
    let police_notice = detail.police_notice.clone();
    // While suspended the clock stands: the head says so instead of counting days.
    let suspended = detail.suspensions.iter().any(|s| s.until.is_none());
    let lang = use_lang();
    let today = time::today();
    let d = detail;
    let date = |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|a| time::date(time::date_of(a)));
    let steps = vec![
        (
            Stage::Registered,
            Some(time::date(time::date_of(d.registered_at))),
        ),
        (Stage::Routed, date(d.routed_at)),
        (Stage::InHandling, date(d.handling_at)),
        (Stage::Closed, date(d.closed_at)),
        (Stage::Archived, date(d.archived_at)),
    ];
    let (kind, category, channel, stage, risk) = (d.kind, d.category, d.channel, d.stage, d.risk);
    let category_name = d.category_name.clone();
    let flags = d.risk_flags.clone();
    let clock = d.clock;
    let code = d.code.clone();
    let title_code = code.clone();
    let has_flags = !flags.is_empty();
    let outcome = d.outcome;
    let route_told = d.route_told;
    let has_result = d.outcome.is_some() || d.archive_no.is_some() || d.rating.is_some();
    let rating = d.rating.clone();
    let cooperating = d.cooperating.clone();
    let masked = d.parties_masked;
    let parties = d.parties.clone();
    let session_parties = d.parties.clone();
    let repeats_detail = d.clone();
    let grid = d.grid.clone();

    view! {
        <div class="case-head" data-testid="case-head" data-code=code data-stage=stage.as_str()
            data-version=d.version.to_string()>
            <a class="back-link" href="/board" data-testid="back-to-board">"← " {tr(T::BackToBoard)}</a>
            <div class="case-title-row">
                <h1 class="page-title" data-testid="case-code">{move || i18n::case_title(&title_code, lang.get())}</h1>
                <span class=format!("stage-tag stage-{}", stage.as_str()) data-testid="case-stage">
                    {move || stage.label(lang.get())}
                </span>
                {if suspended {
                    view! { <span class="chip chip-wait" data-testid="case-suspended">{tr(T::ChipSuspended)}</span> }.into_any()
                } else {
                    view! { <DeadlineBadge stage due_on=d.due_on today /> }.into_any()
                }}
                <RiskTag risk />
            </div>
            <p class="case-summary" data-testid="case-summary">{d.summary.clone()}</p>
        </div>
        <Stepper current=stage dates=steps />
        <div class="case-grid">
            <div class="case-main">
                <section class="panel" aria-labelledby="details-title">
                    <h2 id="details-title" class="panel-title">{tr(T::Details)}</h2>
                    <dl class="facts">
                        <div><dt>{tr(T::Kind)}</dt><dd>{move || kind.label(lang.get())}</dd></div>
                        <div><dt>{tr(T::Category)}</dt><dd data-testid="case-category">{move || shared::categories::case_category(category, category_name.as_ref(), lang.get())}</dd></div>
                        <div><dt>{tr(T::Channel)}</dt><dd data-testid="case-channel" data-channel=channel.as_str()>{move || channel.label(lang.get())}</dd></div>
                        <div><dt>{tr(T::Place)}</dt><dd>{d.place.clone()}</dd></div>
                        {(!grid.is_empty()).then(|| view! {
                            <div class="wide"><dt>{tr(T::GridCovers)}</dt><dd data-testid="case-grid">
                                {grid.iter().enumerate().map(|(i, g)| {
                                    let duty = g.duty;
                                    view! {
                                        {(i > 0).then_some(" · ")}
                                        <span class="nowrap">{move || duty.label(lang.get())} " " <span class="muted">{g.unit.clone()}</span> " " <strong>{g.name.clone()}</strong></span>
                                    }
                                }).collect_view()}
                            </dd></div>
                        })}
                        <div><dt>{tr(T::RegisteredAt)}</dt><dd>{time::date_time(d.registered_at)}</dd></div>
                        <div><dt>{tr(T::RegisteredBy)}</dt><dd>{d.registered_by.clone()}</dd></div>
                        {has_flags.then(|| view! {
                            <div class="wide"><dt>{tr(T::RiskFlags)}</dt><dd class="tags">
                                {flags.iter().map(|f| {
                                    let f = *f;
                                    view! { <span class="tag tag-flag">{move || f.label(lang.get())}</span> }
                                }).collect_view()}
                            </dd></div>
                        })}
                        <div class="wide"><dt>{tr(T::Facts)}</dt><dd class="prose">{text_or_dash(&d.facts)}</dd></div>
                        <div class="wide"><dt>{tr(T::Request)}</dt><dd class="prose">{text_or_dash(&d.request)}</dd></div>
                    </dl>
                </section>
                <section class="panel" aria-labelledby="parties-title" data-testid="parties" data-masked=masked.to_string()>
                    <h2 id="parties-title" class="panel-title">{tr(T::PartiesTitle)}</h2>
                    {masked.then(|| view! { <p class="hint hint-masked" data-testid="masked-note">{tr(T::MaskedNote)}</p> })}
                    {if parties.is_empty() {
                        view! { <Empty text=T::NoParties /> }.into_any()
                    } else {
                        view! { <PartiesTable parties /> }.into_any()
                    }}
                </section>
                <crate::pages::repeats::RepeatsPanel detail=repeats_detail may_link changed />
                <crate::pages::sessions::SessionsPanel case_id=d.id parties=session_parties data=sessions />
                <crate::pages::agreement::AgreementPanel case_id=d.id state=agreement />
                {matches!(stage, Stage::Closed | Stage::Archived).then(|| view! {
                    <crate::pages::agreement::FollowUpsPanel case_id=d.id />
                })}
            </div>
            <aside class="case-side">
                <section class="panel" aria-labelledby="actions-title" data-testid="actions">
                    <h2 id="actions-title" class="panel-title">{tr(T::Actions)}</h2>
                    {move || {
                        let list = commands.get();
                        if list.is_empty() {
                            view! { <p class="hint" data-testid="no-actions">{tr(T::NoActions)}</p> }.into_any()
                        } else {
                            list.into_iter()
                                .map(|k| {
                                    let class = if k == CommandKind::Accept || k == CommandKind::Route || k == CommandKind::Close {
                                        "btn btn-primary btn-block"
                                    } else {
                                        "btn btn-secondary btn-block"
                                    };
                                    view! {
                                        <button type="button" class=class data-testid=format!("action-{}", command_name(k))
                                            disabled=move || acting.get()
                                            on:click=move |_| act.run(k)>
                                            {move || k.label(lang.get())}
                                        </button>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </section>
                <section class="panel" aria-labelledby="clock-title" data-testid="clock">
                    <h2 id="clock-title" class="panel-title">{tr(T::ClockTitle)}</h2>
                    <dl class="facts facts-stack">
                        <div><dt>{tr(T::Track)}</dt><dd>{move || clock.track.label(lang.get())}</dd></div>
                        <div><dt>{tr(T::ClockTitle)}</dt>
                            <dd>{move || i18n::clock_days(clock.days, clock.unit == DayUnit::Working, lang.get())}</dd></div>
                        <div><dt>{tr(T::DueOn)}</dt><dd data-testid="due-on">{time::date(d.due_on)} " "
                            <DeadlineBadge stage due_on=d.due_on today /></dd></div>
                    </dl>
                    <p class="hint due-explained" data-testid="due-explained">{
                        let explained = d.due_explained.clone();
                        move || explained.text(lang.get())
                    }</p>
                    {move || clock.track.notice(lang.get()).map(|n| view! { <p class="hint">{n}</p> })}
                </section>
                <ClockPanel detail=clock_detail rights done=changed />
                <section class="panel" aria-labelledby="handling-title" data-testid="handling">
                    <h2 id="handling-title" class="panel-title">{tr(T::HandlingTitle)}</h2>
                    <dl class="facts facts-stack">
                        <div><dt>{tr(T::HandlerLabel)}</dt>
                            <dd data-testid="handler">{d.handler_name.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
                        {(!cooperating.is_empty()).then(|| view! {
                            <div><dt>{tr(T::Cooperating)}</dt><dd><CooperatingNames units=cooperating.clone() /></dd></div>
                        })}
                        {police_notice.map(|notice| view! { <PoliceNoticeFact notice /> })}
                        {d.awaiting_until.map(|until| view! {
                            <div><dt>{tr(T::AwaitingLabel)}</dt>
                                <dd data-testid="awaiting">{time::date(until)} " "
                                    <span class="chip chip-wait">{tr(T::AwaitingChip)}</span></dd></div>
                        })}
                        {d.returned.clone().map(|note| {
                            let declined = note.reason.is_some();
                            view! {
                                <div><dt>{tr(T::ReturnedLabel)}</dt>
                                    <dd data-testid="returned">
                                        {move || i18n::returned_by(&note.by, declined, lang.get())}
                                        {note.reason.map(|r| view! { <span class="prose">":" {r}</span> })}
                                    </dd></div>
                            }
                        })}
                    </dl>
                </section>
                {(may_urge || !urgings_detail.urgings.is_empty()).then(|| view! {
                    <UrgingsPanel id=urgings_detail.id urgings=urgings_detail.urgings.clone() may_urge may_acknowledge on_change=reload />
                })}
                <CountyPanel detail=county_detail rights=county on_change=reload />
                {has_result.then(|| view! {
                    <section class="panel" aria-labelledby="result-title" data-testid="result">
                        <h2 id="result-title" class="panel-title">{tr(T::ResultTitle)}</h2>
                        <dl class="facts facts-stack">
                            {outcome.map(|o| view! {
                                <div><dt>{tr(T::Outcome)}</dt><dd data-testid="outcome" data-outcome=o.as_str()>{move || o.label(lang.get())}</dd></div>
                            })}
                            {d.outcome_summary.clone().map(|s| view! {
                                <div><dt>{tr(T::ResultSummary)}</dt><dd class="prose">{s}</dd></div>
                            })}
                            {route_told.map(|r| view! {
                                <div><dt>{tr(T::RouteTold)}</dt><dd>{move || r.label(lang.get())}</dd></div>
                            })}
                            {d.archive_no.clone().map(|n| view! {
                                <div><dt>{tr(T::ArchiveNo)}</dt><dd data-testid="archive-no">{n}</dd></div>
                            })}
                            {rating.map(|r| {
                                let s = r.satisfaction;
                                view! {
                                    <div>
                                        <dt>{tr(T::Rating)}</dt>
                                        <dd data-testid="rating" data-satisfaction=s.as_str()>
                                            <span class=format!("rating rating-{}", s.as_str())>{move || s.label(lang.get())}</span>
                                            " · " <time>{time::date_time(r.at)}</time>
                                        </dd>
                                    </div>
                                    {r.comment.map(|c| view! {
                                        <div><dt>{tr(T::RatingComment)}</dt><dd class="prose" data-testid="rating-comment">{c}</dd></div>
                                    })}
                                }
                            })}
                        </dl>
                    </section>
                })}
            </aside>
        </div>
    }
}

fn text_or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}

/// Names of cooperating units, looked up in the handler list (their reference if unknown).
#[component]
fn CooperatingNames(units: Vec<HandlerRef>) -> impl IntoView {
    let handlers = LocalResource::new(api::handlers);
    let units = StoredValue::new(units);
    move || {
        let known = handlers.get().and_then(Result::ok).unwrap_or_default();
        units.with_value(|units| {
            units
                .iter()
                .map(|u| {
                    known
                        .iter()
                        .find(|h| h.handler == *u)
                        .map(|h| h.name.clone())
                        .unwrap_or_else(|| u.to_string())
                })
                .collect::<Vec<_>>()
                .join("、")
        })
    }
}

#[component]
fn PartiesTable(parties: Vec<Party>) -> impl IntoView {
    let lang = use_lang();
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr(T::Side)}</th>
                        <th scope="col">{tr(T::Name)}</th>
                        <th scope="col">{tr(T::Gender)}</th>
                        <th scope="col">{tr(T::Age)}</th>
                        <th scope="col">{tr(T::Phone)}</th>
                        <th scope="col">{tr(T::IdNumber)}</th>
                        <th scope="col">{tr(T::Address)}</th>
                    </tr>
                </thead>
                <tbody>
                    {parties
                        .into_iter()
                        .map(|p| {
                            let (side, gender, masked) = (p.side, p.gender, p.masked);
                            view! {
                                <tr data-testid="party" data-masked=masked.to_string()>
                                    <td>{move || side.label(lang.get())}</td>
                                    <td>
                                        {p.name.clone()}
                                        {masked.then(|| view! { <span class="tag tag-masked" data-testid="masked">{tr(T::Masked)}</span> })}
                                    </td>
                                    <td>{move || gender.map(|g| g.label(lang.get())).unwrap_or("—")}</td>
                                    <td>{p.age.map(|a| a.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                                    <td class="mono">{dash(p.phone.clone())}</td>
                                    <td class="mono">{dash(p.id_number.clone())}</td>
                                    <td>{dash(p.address)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Timeline(events: Vec<CaseEvent>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ol class="timeline" data-testid="timeline">
            {events
                .into_iter()
                .map(|e| {
                    let (kind, role, from, to, public) = (e.kind, (!e.by_system).then_some(e.actor_role), e.from_stage, e.to_stage, e.public);
                    view! {
                        <li class="event" data-testid="event" data-kind=kind.as_str() data-public=public.to_string()>
                            <div class="event-head">
                                <span class="event-kind">{move || kind.label(lang.get())}</span>
                                {match (from, to) {
                                    (Some(f), Some(t)) => Some(view! {
                                        <span class="event-move">{move || format!("{} → {}", f.label(lang.get()), t.label(lang.get()))}</span>
                                    }),
                                    _ => None,
                                }}
                                <span class=if public { "tag tag-public" } else { "tag tag-internal" }>
                                    {move || if public { T::PublicTag.get(lang.get()) } else { T::InternalTag.get(lang.get()) }}
                                </span>
                                <time class="event-time">{time::date_time(e.at)}</time>
                            </div>
                            <div class="event-actor">
                                {e.actor_name.clone()}
                                {role.map(|role| view! { " · " {move || role.label(lang.get())} })}
                            </div>
                            {e.text.clone().map(|t| view! { <p class="event-text prose">{t}</p> })}
                            {(!e.details.is_empty()).then(|| view! {
                                <dl class="event-details">
                                    {e.details.iter().map(|(k, v)| {
                                        let (k, v) = (k.clone(), v.clone());
                                        let (k2, v2) = (k.clone(), v.clone());
                                        let key_attr = k.clone();
                                        view! {
                                            <div data-key=key_attr>
                                                <dt>{move || i18n::event_detail(&k2, &v2, lang.get()).0}</dt>
                                                <dd>{move || i18n::event_detail(&k, &v, lang.get()).1}</dd>
                                            </div>
                                        }
                                    }).collect_view()}
                                </dl>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
fn NoteForm(id: i64, on_added: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let text = RwSignal::new(String::new());
    let public = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let general = RwSignal::new(None::<api::Error>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = NoteRequest {
            text: text.get_untracked().trim().to_owned(),
            public: public.get_untracked(),
        };
        let l = lang.get_untracked();
        if request.text.is_empty() {
            errors.set(vec![FieldError::new("text", shared::Reason::Required, l)]);
            return;
        }
        errors.set(Vec::new());
        general.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::add_note(id, &request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    text.set(String::new());
                    public.set(false);
                    notices.success(T::NoteAdded.get(lang.get_untracked()));
                    on_added.try_run(());
                }
                Err(err) => {
                    errors.set(err.fields(lang.get_untracked()));
                    general.set(Some(err));
                }
            }
        });
    };

    view! {
        <form class="note-form" on:submit=submit novalidate data-testid="note-form">
            <div class="field">
                <label for="note-text">{tr(T::AddNoteTitle)}</label>
                <textarea id="note-text" name="text" rows="3" aria-describedby="err-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <FieldMessage name="text" errors=errors.into() />
            </div>
            <div class="note-actions">
                <label class="check" for="note-public">
                    <input type="checkbox" id="note-public" name="public" data-testid="note-public"
                        prop:checked=move || public.get()
                        on:change=move |ev| public.set(event_target_checked(&ev)) />
                    <span>{tr(T::NotePublic)}</span>
                </label>
                <button type="submit" class="btn btn-primary" data-testid="add-note" disabled=move || pending.get()>
                    {move || if pending.get() { T::Saving.get(lang.get()) } else { T::AddNote.get(lang.get()) }}
                </button>
            </div>
            {move || general.get().map(|err| view! {
                <p class="form-error" role="alert" data-testid="note-error">{move || err.message(lang.get())}</p>
            })}
        </form>
    }
}

/// The urgings (督办单) of a case: each with its date and acknowledgement; the lead's form to
/// urge the handler; the handler's button to acknowledge.
#[component]
fn UrgingsPanel(
    id: i64,
    urgings: Vec<shared::model::Urging>,
    may_urge: bool,
    may_acknowledge: bool,
    on_change: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let what = RwSignal::new(String::new());
    let due = RwSignal::new((time::today() + chrono::Duration::days(3)).to_string());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let general = RwSignal::new(None::<api::Error>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let due_on = chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d").ok();
        let Some(due_on) = due_on else {
            errors.set(vec![FieldError::new("due_on", shared::Reason::Required, l)]);
            return;
        };
        let request = NewUrging {
            what: what.get_untracked().trim().to_owned(),
            due_on,
        };
        if let Err(fields) = request.check(time::today(), l) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        general.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::urge(id, &request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    what.set(String::new());
                    notices.success(T::UrgingSent.get(lang.get_untracked()));
                    on_change.run(());
                }
                Err(err) => {
                    errors.set(err.fields(lang.get_untracked()));
                    general.set(Some(err));
                }
            }
        });
    };
    let acknowledge = move |urging: i64| {
        spawn_local(async move {
            match api::acknowledge(id, urging).await {
                Ok(_) => {
                    notices.success(T::UrgingAcknowledgedNotice.get(lang.get_untracked()));
                    on_change.run(());
                }
                Err(err) => notices.error(err.message(lang.get_untracked()), None),
            }
        });
    };

    view! {
        <section class="panel" aria-labelledby="urgings-title" data-testid="urgings">
            <h2 id="urgings-title" class="panel-title">{tr(T::UrgingsTitle)}</h2>
            {urgings.is_empty().then(|| view! { <p class="hint">{tr(T::NoUrgings)}</p> })}
            <ul class="urgings">
                {urgings.into_iter().map(|u| {
                    let open = u.acknowledged_at.is_none();
                    let uid = u.id;
                    let due_text = time::date(u.due_on);
                    view! {
                        <li class="urging" class:open=open data-testid="urging" data-open=open.to_string()>
                            <p class="urging-what prose">{u.what.clone()}</p>
                            <p class="urging-meta">
                                {move || format!("{} {}", T::UrgingDue.get(lang.get()), due_text)}
                                " · " {u.by.clone()} " · " {time::date_time(u.at)}
                            </p>
                            {match (u.acknowledged_by.clone(), u.acknowledged_at) {
                                (Some(by), Some(at)) => view! {
                                    <p class="urging-ack" data-testid="urging-ack">
                                        {move || format!("{} {} {}", T::AcknowledgedBy.get(lang.get()), by, time::date_time(at))}
                                    </p>
                                }.into_any(),
                                _ if may_acknowledge => view! {
                                    <button type="button" class="btn btn-primary btn-small" data-testid="acknowledge"
                                        on:click=move |_| acknowledge(uid)>
                                        {tr(T::Acknowledge)}
                                    </button>
                                }.into_any(),
                                _ => view! { <p class="urging-ack pending">{tr(T::NotAcknowledged)}</p> }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {may_urge.then(|| view! {
                <form class="urge-form" on:submit=submit novalidate data-testid="urge-form">
                    <div class="field">
                        <label for="urge-what">{tr(T::UrgeWhat)}</label>
                        <textarea id="urge-what" name="what" rows="2" aria-describedby="err-what"
                            prop:value=move || what.get()
                            on:input=move |ev| what.set(event_target_value(&ev))></textarea>
                        <FieldMessage name="what" errors=errors.into() />
                    </div>
                    <div class="field">
                        <label for="urge-due">{tr(T::UrgingDue)}</label>
                        <input type="date" id="urge-due" name="due_on" aria-describedby="err-due_on"
                            prop:value=move || due.get()
                            on:input=move |ev| due.set(event_target_value(&ev)) />
                        <FieldMessage name="due_on" errors=errors.into() />
                    </div>
                    <button type="submit" class="btn btn-primary" data-testid="urge" disabled=move || pending.get()>
                        {move || if pending.get() { T::Saving.get(lang.get()) } else { T::Urge.get(lang.get()) }}
                    </button>
                    {move || general.get().filter(|e| e.fields(lang.get()).is_empty()).map(|err| view! {
                        <p class="form-error" role="alert">{move || err.message(lang.get())}</p>
                    })}
                </form>
            })}
        </section>
    }
}

//! The mediation room around the table: a case's sessions and 回避 (on the case page, with
//! the form to schedule one), the town's day per room and per mediator (`/sessions`), and the
//! administrator's rooms (`/admin/rooms`). The tablet's own screen is `session_room`.
//!
//! The server checks everything again (clashes, 回避, rights); the forms check what they can
//! first so that a mistake is named at once.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::error::FieldError;
use shared::mediation::{
    CaseSessions, DaySessions, NewExclusion, NewSession, PersonRef, Room, RoomChange,
    SESSION_MINUTES_MAX, SESSION_MINUTES_MIN, SessionSummary,
};
use shared::model::{OrgLevel, OrgUnit, Party, Role, RoomKind, SessionStatus};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading, show_failure};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

/// "12月7日 09:00–10:00" / "7 Dec 09:00–10:00".
pub fn when(s: &SessionSummary, lang: shared::Lang) -> String {
    let day = match lang {
        shared::Lang::Zh => s.starts_at.format("%-m月%-d日").to_string(),
        shared::Lang::En => s.starts_at.format("%-d %b").to_string(),
    };
    format!(
        "{day} {}–{}",
        s.starts_at.format("%H:%M"),
        s.ends_at.format("%H:%M")
    )
}

/// The status of a session, or its outcome once ended.
#[component]
pub fn SessionState(
    status: SessionStatus,
    outcome: Option<shared::model::SessionOutcome>,
) -> impl IntoView {
    let lang = use_lang();
    let class = format!("chip session-chip session-{}", status.as_str());
    view! {
        <span class=class data-testid="session-status" data-status=status.as_str()>
            {move || match outcome {
                Some(o) => o.label(lang.get()),
                None => status.label(lang.get()),
            }}
        </span>
    }
}

fn names(people: &[PersonRef]) -> String {
    people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// What the case page keeps of its sessions across its own re-renders (a live change of the
/// case re-renders the page; the panel then refreshes without showing "loading" again).
pub type SessionsData = RwSignal<Option<Result<CaseSessions, api::Error>>>;

/// The case page's panel: the case's sessions, its 回避, and for the handler or the lead the
/// forms to schedule and to exclude.
#[component]
pub fn SessionsPanel(case_id: i64, parties: Vec<Party>, data: SessionsData) -> impl IntoView {
    let load = move || {
        spawn_local(async move {
            data.set(Some(api::case_sessions(case_id).await));
        });
    };
    load();
    let scheduling = RwSignal::new(false);
    let parties = StoredValue::new(parties);
    view! {
        <section class="panel sessions-panel" aria-labelledby="sessions-title" data-testid="sessions">
            <div class="panel-head">
                <h2 id="sessions-title" class="panel-title">{tr(T::SessionsTitle)}</h2>
                {move || data.with(|d| matches!(d, Some(Ok(c)) if c.may_schedule)).then(|| view! {
                    <button type="button" class="btn btn-secondary btn-small" data-testid="session-new"
                        aria-expanded=move || scheduling.get().to_string()
                        on:click=move |_| scheduling.update(|s| *s = !*s)>
                        {tr(T::SessionSchedule)}
                    </button>
                })}
            </div>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorBox error=err title=T::SessionsLoadFailed retry=Callback::new(move |_| load()) />
                }.into_any(),
                Some(Ok(c)) => {
                    let form = (scheduling.get() && c.may_schedule).then(|| view! {
                        <ScheduleForm case_id data=c.clone() parties=parties.get_value()
                            done=Callback::new(move |()| { scheduling.set(false); load(); }) />
                    });
                    view! {
                        {form}
                        <SessionList sessions=c.sessions.clone() />
                        <Exclusions case_id data=c set=data />
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn SessionList(sessions: Vec<SessionSummary>) -> impl IntoView {
    let lang = use_lang();
    if sessions.is_empty() {
        return view! { <p class="muted" data-testid="sessions-empty">{tr(T::SessionsEmpty)}</p> }
            .into_any();
    }
    view! {
        <ul class="session-list" data-testid="session-list">
            {sessions.into_iter().map(|s| {
                let href = format!("/sessions/{}", s.id);
                let room = s.room.name.clone();
                let people = names(&s.mediators);
                let status = s.status;
                let outcome = s.outcome;
                let s2 = s.clone();
                view! {
                    <li class="session-row" data-testid="session-row" data-id=s.id.to_string()>
                        <a class="session-when" href=href>{move || when(&s2, lang.get())}</a>
                        <span class="session-room">{room}</span>
                        <span class="session-people">{people}</span>
                        <SessionState status outcome />
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A length choice, in minutes.
const LENGTHS: [u32; 6] = [30, 60, 90, 120, 180, 240];

/// A session's form: when, how long, where, who mediates, who is invited. Used to schedule
/// and, on the tablet, to book the next session.
#[component]
pub fn BookingFields(
    prefix: &'static str,
    rooms: Vec<Room>,
    mediators: Vec<PersonRef>,
    parties: Vec<(u32, String)>,
    value: RwSignal<NewSession>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let lang = use_lang();
    let id = move |n: &str| format!("{prefix}-{n}");
    let err = move |n: &str| format!("{}{n}", if prefix == "next" { "next." } else { "" });
    let starts = move || {
        value.with(|v| {
            v.starts_at
                .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        })
    };
    let (starts_id, starts_for) = (id("starts"), id("starts"));
    let (minutes_id, minutes_for) = (id("minutes"), id("minutes"));
    let (room_id, room_for) = (id("room"), id("room"));
    view! {
        <div class="form-grid">
            <label class="field" for=starts_for>
                <span class="field-name">{tr(T::SessionWhen)}</span>
                <input id=starts_id type="datetime-local" data-testid=id("starts") prop:value=starts
                    on:input=move |ev| {
                        let t = chrono::NaiveDateTime::parse_from_str(&event_target_value(&ev), "%Y-%m-%dT%H:%M").ok();
                        value.update(|v| v.starts_at = t);
                    } />
                <FieldMessage name=err("starts_at") errors />
            </label>
            <label class="field" for=minutes_for>
                <span class="field-name">{tr(T::SessionLength)}</span>
                <select id=minutes_id data-testid=id("minutes")
                    on:change=move |ev| {
                        let m = event_target_value(&ev).parse().unwrap_or(60);
                        value.update(|v| v.minutes = m);
                    }>
                    {LENGTHS.iter().map(|m| {
                        let m = *m;
                        view! {
                            <option value=m.to_string() selected=move || value.with(|v| v.minutes == m)>
                                {move || crate::i18n::minutes(m, lang.get())}
                            </option>
                        }
                    }).collect_view()}
                </select>
                <FieldMessage name=err("minutes") errors />
            </label>
            <label class="field" for=room_for>
                <span class="field-name">{tr(T::SessionRoom)}</span>
                <select id=room_id data-testid=id("room")
                    on:change=move |ev| {
                        let r = event_target_value(&ev).parse().ok();
                        value.update(|v| v.room_id = r);
                    }>
                    <option value="" selected=move || value.with(|v| v.room_id.is_none())>{tr(T::ChooseOne)}</option>
                    {rooms.into_iter().map(|r| {
                        let rid = r.id;
                        let kind = r.kind;
                        view! {
                            <option value=rid.to_string() selected=move || value.with(|v| v.room_id == Some(rid))>
                                {r.name}" · "{move || kind.label(lang.get())}
                            </option>
                        }
                    }).collect_view()}
                </select>
                <FieldMessage name=err("room_id") errors />
            </label>
        </div>
        <fieldset class="invite" data-testid=id("mediators")>
            <legend>{tr(T::SessionMediators)}</legend>
            {mediators.into_iter().map(|m| {
                let mid = m.id;
                view! {
                    <label class="check">
                        <input type="checkbox" value=mid.to_string()
                            prop:checked=move || value.with(|v| v.mediators.contains(&mid))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                value.update(|v| {
                                    v.mediators.retain(|x| *x != mid);
                                    if on { v.mediators.push(mid); }
                                });
                            } />
                        <span>{m.name}</span>
                    </label>
                }
            }).collect_view()}
            <FieldMessage name=err("mediators") errors />
        </fieldset>
        <fieldset class="invite" data-testid=id("parties")>
            <legend>{tr(T::SessionParties)}</legend>
            {parties.into_iter().map(|(pos, label)| {
                view! {
                    <label class="check">
                        <input type="checkbox" value=pos.to_string()
                            prop:checked=move || value.with(|v| v.parties.contains(&pos))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                value.update(|v| {
                                    v.parties.retain(|x| *x != pos);
                                    if on { v.parties.push(pos); v.parties.sort_unstable(); }
                                });
                            } />
                        <span>{label}</span>
                    </label>
                }
            }).collect_view()}
            <FieldMessage name=err("parties") errors />
        </fieldset>
    }
}

/// "申请人 张三" for each party that takes part in mediation (not representatives).
pub fn party_labels(parties: &[Party], lang: shared::Lang) -> Vec<(u32, String)> {
    parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.side != shared::model::PartySide::Representative)
        .filter_map(|(i, p)| {
            Some((
                u32::try_from(i).ok()?,
                format!("{} {}", p.side.label(lang), p.name),
            ))
        })
        .collect()
}

#[component]
fn ScheduleForm(
    case_id: i64,
    data: CaseSessions,
    parties: Vec<Party>,
    done: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let labels = party_labels(&parties, lang.get_untracked());
    let me = use_session()
        .user
        .with_untracked(|u| u.as_ref().map(|u| u.id));
    let value = RwSignal::new(NewSession {
        starts_at: None,
        minutes: 60,
        room_id: data
            .rooms
            .iter()
            .find(|r| r.kind == RoomKind::Mediation)
            .or(data.rooms.first())
            .map(|r| r.id),
        mediators: me
            .filter(|id| data.mediators.iter().any(|m| m.id == *id))
            .into_iter()
            .collect(),
        parties: labels.iter().map(|(p, _)| *p).collect(),
        notify_parties: true,
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let request = value.get_untracked();
        let now = time::now_local();
        if let Err(fields) = request.check(now, l) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::schedule_session(case_id, &request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    use_notices().success(T::SessionScheduled.get(l));
                    done.run(());
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let errs = Signal::derive(move || errors.get());
    view! {
        <form class="session-form" data-testid="session-form" on:submit=submit novalidate>
            <BookingFields prefix="session" rooms=data.rooms mediators=data.mediators parties=labels value errors=errs />
            <label class="check">
                <input type="checkbox" data-testid="session-notify"
                    prop:checked=move || value.with(|v| v.notify_parties)
                    on:change=move |ev| value.update(|v| v.notify_parties = event_target_checked(&ev)) />
                <span>{tr(T::SessionNotify)}</span>
            </label>
            <div class="inline-actions">
                <button type="submit" class="btn btn-primary" data-testid="session-submit" disabled=move || pending.get()>
                    {tr(T::SessionSchedule)}
                </button>
            </div>
            <p class="hint">{move || crate::i18n::minutes_range(SESSION_MINUTES_MIN, SESSION_MINUTES_MAX, lang.get())}</p>
        </form>
    }
}

#[component]
fn Exclusions(
    case_id: i64,
    data: CaseSessions,
    set: RwSignal<Option<Result<CaseSessions, api::Error>>>,
) -> impl IntoView {
    let lang = use_lang();
    let may = data.may_schedule;
    let user = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let pending = RwSignal::new(false);
    let excluded: HashSet<i64> = data.exclusions.iter().map(|e| e.user_id).collect();
    let choices: Vec<PersonRef> = data
        .mediators
        .iter()
        .filter(|m| !excluded.contains(&m.id))
        .cloned()
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let request = NewExclusion {
            user_id: user.get_untracked().parse().ok(),
            reason: reason.get_untracked(),
        };
        if let Err(fields) = request.check(l) {
            errors.set(fields);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::exclude_mediator(case_id, &request).await;
            pending.set(false);
            match result {
                Ok(c) => set.set(Some(Ok(c))),
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let lift = move |user_id: i64| {
        let l = lang.get_untracked();
        spawn_local(async move {
            match api::lift_exclusion(case_id, user_id).await {
                Ok(c) => set.set(Some(Ok(c))),
                Err(err) => use_notices().error(err.message(l), None),
            }
        });
    };
    view! {
        <div class="exclusions" data-testid="exclusions">
            <h3 class="sub-title">{tr(T::ExclusionsTitle)}</h3>
            {if data.exclusions.is_empty() {
                view! { <p class="muted">{tr(T::ExclusionsEmpty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="exclusion-list">
                        {data.exclusions.iter().map(|e| {
                            let uid = e.user_id;
                            view! {
                                <li data-testid="exclusion">
                                    <strong>{e.name.clone()}</strong>" — "{e.reason.clone()}
                                    <span class="muted">" · "{e.recorded_by.clone()}" "{time::date_time(e.recorded_at)}</span>
                                    {may.then(|| view! {
                                        <button type="button" class="btn btn-link" on:click=move |_| lift(uid)>{tr(T::ExclusionLift)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {may.then(|| view! {
                <form class="exclusion-form" data-testid="exclusion-form" on:submit=submit novalidate>
                    <label class="field" for="exclusion-user">
                        <span class="field-name">{tr(T::ExclusionWho)}</span>
                        <select id="exclusion-user" data-testid="exclusion-user"
                            on:change=move |ev| user.set(event_target_value(&ev))>
                            <option value="">{tr(T::ChooseOne)}</option>
                            {choices.into_iter().map(|m| view! {
                                <option value=m.id.to_string()>{m.name}</option>
                            }).collect_view()}
                        </select>
                        <FieldMessage name="user_id" errors=errs />
                    </label>
                    <label class="field" for="exclusion-reason">
                        <span class="field-name">{tr(T::ExclusionReason)}</span>
                        <input id="exclusion-reason" type="text" data-testid="exclusion-reason" maxlength="200"
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <FieldMessage name="reason" errors=errs />
                    </label>
                    <div class="inline-actions">
                        <button type="submit" class="btn btn-secondary" data-testid="exclusion-submit" disabled=move || pending.get()>
                            {tr(T::ExclusionRecord)}
                        </button>
                    </div>
                </form>
            })}
        </div>
    }
}

/// How the day is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    Room,
    Mediator,
}

/// `/sessions?day=…&by=room|mediator`: the town's day.
#[component]
pub fn SessionsDayPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let navigate = use_navigate();
    let day = Memo::new(move |_| {
        query
            .with(|q| q.get("day"))
            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .unwrap_or_else(time::today)
    });
    let by = Memo::new(move |_| {
        if query.with(|q| q.get("by")).as_deref() == Some("mediator") {
            Grouping::Mediator
        } else {
            Grouping::Room
        }
    });
    let loaded = LocalResource::new(move || api::day_sessions(day.get()));
    let go = move |d: chrono::NaiveDate, g: Grouping| {
        let by = if g == Grouping::Mediator {
            "&by=mediator"
        } else {
            ""
        };
        navigate(
            &format!("/sessions?day={}{by}", d.format("%Y-%m-%d")),
            Default::default(),
        );
    };
    let go2 = go.clone();
    let go3 = go.clone();
    let go4 = go.clone();
    let go5 = go.clone();
    view! {
        <div class="page page-wide sessions-page" data-testid="sessions-page">
            <div class="page-head">
                <div>
                    <h1 class="page-title">{tr(T::SessionsDayTitle)}</h1>
                    <p class="muted">{move || time::date(day.get())}</p>
                </div>
                <div class="inline-actions day-controls">
                    <button type="button" class="btn btn-secondary" data-testid="day-prev"
                        on:click=move |_| go(day.get_untracked() - chrono::Days::new(1), by.get_untracked())>
                        {tr(T::DayBefore)}
                    </button>
                    <label class="sr-only" for="day-pick">{tr(T::SessionDay)}</label>
                    <input id="day-pick" type="date" data-testid="day-pick"
                        prop:value=move || day.get().format("%Y-%m-%d").to_string()
                        on:change=move |ev| {
                            if let Ok(d) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") {
                                go2(d, by.get_untracked());
                            }
                        } />
                    <button type="button" class="btn btn-secondary" data-testid="day-next"
                        on:click=move |_| go3(day.get_untracked() + chrono::Days::new(1), by.get_untracked())>
                        {tr(T::DayAfter)}
                    </button>
                    <div class="segmented" role="group" aria-label=move || T::SessionGrouping.get(lang.get())>
                        <button type="button" data-testid="by-room" aria-pressed=move || (by.get() == Grouping::Room).to_string()
                            on:click=move |_| go4(day.get_untracked(), Grouping::Room)>{tr(T::ByRoom)}</button>
                        <button type="button" data-testid="by-mediator" aria-pressed=move || (by.get() == Grouping::Mediator).to_string()
                            on:click=move |_| go5(day.get_untracked(), Grouping::Mediator)>{tr(T::ByMediator)}</button>
                    </div>
                </div>
            </div>
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorBox error=err title=T::SessionsLoadFailed retry=Callback::new(move |_| loaded.refetch()) />
                }.into_any(),
                Some(Ok(d)) => view! { <DayGroups d by=by.get() /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn DayGroups(d: DaySessions, by: Grouping) -> impl IntoView {
    let lang = use_lang();
    let groups: Vec<(String, Vec<SessionSummary>)> = match by {
        Grouping::Room => d
            .rooms
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    d.sessions
                        .iter()
                        .filter(|s| s.room.id == r.id)
                        .cloned()
                        .collect(),
                )
            })
            .collect(),
        Grouping::Mediator => {
            let mut people: Vec<PersonRef> = Vec::new();
            for s in &d.sessions {
                for m in &s.mediators {
                    if !people.iter().any(|p| p.id == m.id) {
                        people.push(m.clone());
                    }
                }
            }
            people
                .into_iter()
                .map(|p| {
                    let own = d
                        .sessions
                        .iter()
                        .filter(|s| s.mediators.iter().any(|m| m.id == p.id))
                        .cloned()
                        .collect();
                    (p.name, own)
                })
                .collect()
        }
    };
    if groups.iter().all(|(_, s)| s.is_empty()) && by == Grouping::Mediator {
        return view! { <p class="state state-empty" data-testid="day-empty">{tr(T::DayEmpty)}</p> }
            .into_any();
    }
    view! {
        <div class="day-groups" data-testid="day-groups">
            {groups.into_iter().map(|(name, sessions)| {
                let empty = sessions.is_empty();
                view! {
                    <section class="panel day-group" data-testid="day-group">
                        <h2 class="panel-title">{name}</h2>
                        {if empty {
                            view! { <p class="muted">{tr(T::DayFree)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="session-list">
                                    {sessions.into_iter().map(|s| {
                                        let href = format!("/sessions/{}", s.id);
                                        let case_href = format!("/cases/{}", s.case_id);
                                        let status = s.status;
                                        let outcome = s.outcome;
                                        let category = s.category;
                                        let people = names(&s.mediators);
                                        let room = s.room.name.clone();
                                        let code = s.code.clone();
                                        let s2 = s;
                                        view! {
                                            <li class="session-row" data-testid="day-session">
                                                <a class="session-when" href=href>{move || when(&s2, lang.get())}</a>
                                                <a class="mono" href=case_href>{code}</a>
                                                <span>{move || category.label(lang.get())}</span>
                                                <span class="session-people">{if by == Grouping::Room { people } else { room }}</span>
                                                <SessionState status outcome />
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// `/admin/rooms`: the administrator's rooms, town by town.
#[component]
pub fn RoomsPage() -> impl IntoView {
    let lang = use_lang();
    let is_admin = use_session()
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| u.role == Role::Admin));
    let rooms = RwSignal::new(None::<Result<Vec<Room>, api::Error>>);
    let towns = LocalResource::new(api::org);
    let load = move || {
        spawn_local(async move {
            rooms.set(Some(api::rooms().await));
        });
    };
    load();
    let town = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(RoomKind::Mediation);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let pending = RwSignal::new(false);
    let town_list = move || -> Vec<OrgUnit> {
        towns
            .get()
            .and_then(Result::ok)
            .map(|u| {
                u.into_iter()
                    .filter(|u| u.level == OrgLevel::Town)
                    .collect()
            })
            .unwrap_or_default()
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let request = RoomChange {
            town_id: town.get_untracked().parse().ok(),
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            active: true,
        };
        if let Err(fields) = request.check(l) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::add_room(&request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    name.set(String::new());
                    use_notices().success(T::RoomAdded.get(l));
                    load();
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    let toggle = move |r: Room| {
        let l = lang.get_untracked();
        let request = RoomChange {
            town_id: Some(r.town_id),
            name: r.name.clone(),
            kind: r.kind,
            active: !r.active,
        };
        spawn_local(async move {
            match api::change_room(r.id, &request).await {
                Ok(_) => load(),
                Err(err) => use_notices().error(err.message(l), None),
            }
        });
    };
    view! {
        <div class="page page-wide rooms-page" data-testid="rooms-page">
            <div class="page-head">
                <div>
                    <h1 class="page-title">{tr(T::RoomsTitle)}</h1>
                    <p class="muted">{tr(T::RoomsSubtitle)}</p>
                </div>
            </div>
            {(!is_admin).then(|| view! { <p class="state state-empty">{tr(T::RoomsAdminOnly)}</p> })}
            {is_admin.then(|| view! {
                <form class="panel room-form" data-testid="room-form" on:submit=add novalidate>
                    <h2 class="panel-title">{tr(T::RoomAdd)}</h2>
                    <div class="form-grid">
                        <label class="field" for="room-town">
                            <span class="field-name">{tr(T::RoomTown)}</span>
                            <select id="room-town" data-testid="room-town" on:change=move |ev| town.set(event_target_value(&ev))>
                                <option value="">{tr(T::ChooseOne)}</option>
                                {move || town_list().into_iter().map(|t| view! {
                                    <option value=t.id.to_string() selected=move || town.get() == t.id.to_string()>{t.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <FieldMessage name="town_id" errors=errs />
                        </label>
                        <label class="field" for="room-name">
                            <span class="field-name">{tr(T::RoomName)}</span>
                            <input id="room-name" type="text" data-testid="room-name" maxlength="30"
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            <FieldMessage name="name" errors=errs />
                        </label>
                        <label class="field" for="room-kind">
                            <span class="field-name">{tr(T::RoomKindLabel)}</span>
                            <select id="room-kind" data-testid="room-kind"
                                on:change=move |ev| if let Some(k) = RoomKind::parse(&event_target_value(&ev)) { kind.set(k) }>
                                {RoomKind::ALL.iter().map(|k| {
                                    let k = *k;
                                    view! { <option value=k.as_str() selected=move || kind.get() == k>{move || k.label(lang.get())}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <div class="inline-actions">
                        <button type="submit" class="btn btn-primary" data-testid="room-submit" disabled=move || pending.get()>{tr(T::RoomAdd)}</button>
                    </div>
                </form>
                {move || match rooms.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(err)) => view! {
                        <ErrorBox error=err title=T::SessionsLoadFailed retry=Callback::new(move |_| load()) />
                    }.into_any(),
                    Some(Ok(list)) => {
                        let towns = town_list();
                        view! {
                            <div class="day-groups">
                                {towns.into_iter().map(|t| {
                                    let own: Vec<Room> = list.iter().filter(|r| r.town_id == t.id).cloned().collect();
                                    view! {
                                        <section class="panel" data-testid="town-rooms">
                                            <h2 class="panel-title">{t.name}</h2>
                                            <table class="table">
                                                <thead><tr>
                                                    <th scope="col">{tr(T::RoomName)}</th>
                                                    <th scope="col">{tr(T::RoomKindLabel)}</th>
                                                    <th scope="col">{tr(T::RoomInUse)}</th>
                                                    <th scope="col"><span class="sr-only">{tr(T::Actions)}</span></th>
                                                </tr></thead>
                                                <tbody>
                                                    {own.into_iter().map(|r| {
                                                        let kind = r.kind;
                                                        let active = r.active;
                                                        let r2 = r.clone();
                                                        view! {
                                                            <tr data-testid="room-row" data-active=active.to_string()>
                                                                <td>{r.name}</td>
                                                                <td>{move || kind.label(lang.get())}</td>
                                                                <td>{move || if active { T::Yes.get(lang.get()) } else { T::No.get(lang.get()) }}</td>
                                                                <td>
                                                                    <button type="button" class="btn btn-link" data-testid="room-toggle"
                                                                        on:click=move |_| toggle(r2.clone())>
                                                                        {move || if active { T::RoomRetire.get(lang.get()) } else { T::RoomRestore.get(lang.get()) }}
                                                                    </button>
                                                                </td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </section>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                }}
            })}
        </div>
    }
}

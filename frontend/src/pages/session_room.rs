//! `/sessions/:id`: the session at the table, full screen, made for a 10-inch tablet in either
//! orientation (every touch target at least 44 px): the parties' check-in, the rights read out,
//! a running clock, the record (笔录) as speaker turns, the case facts at hand, and the end of
//! the session with its outcome.
//!
//! **Nothing typed is lost.** Every change is written to the device (`localStorage`) at once,
//! then sent within a second of the last keystroke and on leaving a field. Without a network
//! the sheet stays on the device and is sent when the network returns (tried again every few
//! seconds and on the browser's `online` event); the bar says saved, saving, or offline with
//! the number of unsaved changes. Reloading or reopening the page finds the sheet on the
//! device. A save is made against the version it was based on: if another device changed the
//! sheet meanwhile, the server refuses it (409) and the person sees both and chooses.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use shared::error::{ErrorKind, FieldError};
use shared::mediation::{
    CheckIn, EndSession, NewSession, SaveSheet, SessionDetail, SessionSheet, Speaker,
    TERMINATION_ROUTES, Turn, consent_notice,
};
use shared::model::{Attendance, LegalRoute, SessionOutcome, SessionStatus};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading, show_failure};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::time;
use crate::pages::sessions::{BookingFields, SessionState, when};

/// Wait after the last keystroke before sending, and between tries while offline.
const SAVE_AFTER_MS: u64 = 800;
const RETRY_MS: u64 = 3000;

/// What the device keeps of a sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Kept {
    /// The server version the sheet was based on.
    version: i64,
    sheet: SessionSheet,
    /// Changed since the server last had it.
    dirty: bool,
}

fn key(id: i64) -> String {
    format!("concord.sheet.{id}")
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn kept(id: i64) -> Option<Kept> {
    let text = storage()?.get_item(&key(id)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn keep(id: i64, k: &Kept) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(k)) {
        let _ = s.set_item(&key(id), &text);
    }
}

fn forget(id: i64) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(id));
    }
}

/// Where the sheet stands against the server.
#[derive(Debug, Clone, PartialEq)]
enum Sync {
    Saved,
    Saving,
    Offline,
    /// Another device changed it: theirs, at their version.
    Conflict(Box<SessionSheet>, i64),
    /// The server refused it (a field; the session ended).
    Refused(String),
}

/// `/sessions/:id`.
#[component]
pub fn SessionRoomPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let loaded = LocalResource::new(move || api::session(id.get()));
    view! {
        <div class="session-mode" data-testid="session-mode">
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <div class="page"><ErrorBox error=err title=T::SessionLoadFailed retry=Callback::new(move |_| loaded.refetch()) /></div>
                }.into_any(),
                Some(Ok(d)) => view! { <Table d reload=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
            }}
        </div>
    }
}

/// The state shared by the parts of the screen.
#[derive(Clone, Copy)]
struct Sheet {
    id: i64,
    /// What the screen shows and edits.
    local: RwSignal<SessionSheet>,
    /// What the server has, at `version`.
    saved: RwSignal<SessionSheet>,
    version: RwSignal<i64>,
    sync: RwSignal<Sync>,
    status: RwSignal<SessionStatus>,
    /// Re-mounts the record (after taking another device's sheet).
    epoch: RwSignal<u32>,
    timer: StoredValue<u64>,
    in_flight: StoredValue<bool>,
    again: StoredValue<bool>,
    editable: Signal<bool>,
}

impl Sheet {
    fn dirty(self) -> bool {
        self.local
            .with_untracked(|l| self.saved.with_untracked(|s| l != s))
    }

    fn persist(self) {
        keep(
            self.id,
            &Kept {
                version: self.version.get_untracked(),
                sheet: self.local.get_untracked(),
                dirty: self.dirty(),
            },
        );
    }

    /// Changes the sheet: kept on the device at once, sent soon.
    fn edit(self, f: impl FnOnce(&mut SessionSheet)) {
        if !self.editable.get_untracked() {
            return;
        }
        self.local.update(f);
        self.persist();
        if matches!(self.sync.get_untracked(), Sync::Saved | Sync::Refused(_)) {
            self.sync.set(Sync::Saving);
        }
        self.later(SAVE_AFTER_MS);
    }

    /// Sends after `ms` unless something else asks first.
    fn later(self, ms: u64) {
        let n = self.timer.get_value() + 1;
        self.timer.set_value(n);
        set_timeout(
            move || {
                if self.timer.get_value() == n {
                    self.send();
                }
            },
            std::time::Duration::from_millis(ms),
        );
    }

    /// Sends the sheet now if it differs from the server's.
    fn send(self) {
        if matches!(self.sync.get_untracked(), Sync::Conflict(..)) {
            return;
        }
        if !self.dirty() {
            if self.sync.get_untracked() != Sync::Saved {
                self.sync.set(Sync::Saved);
            }
            self.persist();
            return;
        }
        if self.in_flight.get_value() {
            self.again.set_value(true);
            return;
        }
        self.in_flight.set_value(true);
        let snapshot = self.local.get_untracked();
        let request = SaveSheet {
            version: self.version.get_untracked(),
            sheet: snapshot.clone(),
        };
        if self.sync.get_untracked() != Sync::Offline {
            self.sync.set(Sync::Saving);
        }
        let lang = i18n::current();
        spawn_local(async move {
            let result = api::save_sheet(self.id, &request).await;
            self.in_flight.set_value(false);
            match result {
                Ok(done) => {
                    self.version.set(done.version);
                    self.saved.set(snapshot);
                    self.status.set(done.status);
                    self.persist();
                    if self.dirty() {
                        self.later(0);
                    } else {
                        self.sync.set(Sync::Saved);
                    }
                }
                Err(api::Error::Network(_)) => {
                    self.sync.set(Sync::Offline);
                    self.later(RETRY_MS);
                }
                Err(err) if err.kind() == Some(ErrorKind::Conflict) => {
                    match api::session(self.id).await {
                        Ok(theirs) if is_live(theirs.summary.status) => {
                            self.sync
                                .set(Sync::Conflict(Box::new(theirs.sheet), theirs.version));
                        }
                        Ok(theirs) => {
                            self.status.set(theirs.summary.status);
                            self.sync.set(Sync::Refused(err.message(lang)));
                        }
                        Err(_) => {
                            self.sync.set(Sync::Offline);
                            self.later(RETRY_MS);
                        }
                    }
                }
                Err(err) => {
                    let fields = err.fields(lang);
                    let text = fields
                        .first()
                        .map_or_else(|| err.message(lang), |f| f.message.clone());
                    self.sync.set(Sync::Refused(text));
                }
            }
            if self.again.get_value() {
                self.again.set_value(false);
                self.later(0);
            }
        });
    }

    /// Keeps this device's sheet over the other device's.
    fn keep_mine(self, their_version: i64) {
        self.version.set(their_version);
        self.sync.set(Sync::Saving);
        self.persist();
        self.send();
    }

    /// Takes the other device's sheet, dropping this device's changes.
    fn take_theirs(self, theirs: SessionSheet, their_version: i64) {
        self.version.set(their_version);
        self.saved.set(theirs.clone());
        self.local.set(theirs);
        self.epoch.update(|e| *e += 1);
        self.sync.set(Sync::Saved);
        self.persist();
    }
}

fn is_live(s: SessionStatus) -> bool {
    matches!(s, SessionStatus::Scheduled | SessionStatus::InProgress)
}

/// The session's screen, once it is loaded.
#[component]
fn Table(d: SessionDetail, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let id = d.summary.id;
    let status = RwSignal::new(d.summary.status);
    let may_record = d.may_record;
    let editable = Signal::derive(move || may_record && is_live(status.get()));
    let (local, version, sync) = match kept(id) {
        Some(k) if k.dirty && k.version == d.version => (k.sheet, d.version, Sync::Saving),
        Some(k) if k.dirty && k.sheet != d.sheet && is_live(d.summary.status) => (
            k.sheet,
            k.version,
            Sync::Conflict(Box::new(d.sheet.clone()), d.version),
        ),
        _ => (d.sheet.clone(), d.version, Sync::Saved),
    };
    let sheet = Sheet {
        id,
        local: RwSignal::new(local),
        saved: RwSignal::new(d.sheet.clone()),
        version: RwSignal::new(version),
        sync: RwSignal::new(sync),
        status,
        epoch: RwSignal::new(0),
        timer: StoredValue::new(0),
        in_flight: StoredValue::new(false),
        again: StoredValue::new(false),
        editable,
    };
    if matches!(sheet.sync.get_untracked(), Sync::Saving) {
        sheet.later(0);
    }
    let online = window_event_listener(leptos::ev::online, move |_| sheet.later(0));
    on_cleanup(move || online.remove());
    let now = RwSignal::new(time::now());
    if let Ok(ticker) = set_interval_with_handle(
        move || now.set(time::now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || ticker.clear());
    }
    let ended_at = d.ended_at;
    let elapsed = move || {
        sheet.local.with(|s| s.started_at).map(|t| {
            let until = ended_at.unwrap_or_else(|| now.get());
            time::clock((until - t).num_seconds())
        })
    };
    let summary = d.summary.clone();
    let case_href = format!("/cases/{}", d.summary.case_id);
    let code = d.summary.code.clone();
    let room = d.summary.room.name.clone();
    let d = StoredValue::new(d);
    view! {
        <header class="session-bar" data-testid="session-bar">
            <a class="btn btn-secondary" href=case_href data-testid="session-exit">{tr(T::SessionExit)}</a>
            <div class="session-what">
                <strong class="mono">{code}</strong>
                <span>{room}" · "{move || when(&summary, lang.get())}</span>
            </div>
            <div class="session-clock" data-testid="session-clock" aria-live="off">
                {move || elapsed().unwrap_or_else(|| T::SessionNotBegun.get(lang.get()).to_owned())}
            </div>
            <SyncState sheet />
            {move || view! { <SessionState status=status.get() outcome=d.with_value(|d| d.summary.outcome) /> }}
        </header>
        {move || matches!(sheet.sync.get(), Sync::Conflict(..)).then(|| view! { <ConflictPanel sheet d /> })}
        <div class="session-body">
            <div class="session-side">
                <CheckInPanel sheet d />
                <ConsentPanel sheet />
                <FactsPanel d />
            </div>
            <div class="session-main">
                <RecordPanel sheet d />
                {move || (editable.get() && sheet.local.with(|s| s.started_at.is_some()))
                    .then(|| view! { <EndPanel sheet d reload /> })}
                {move || (!is_live(status.get())).then(|| view! { <EndedNote d /> })}
            </div>
        </div>
    }
}

#[component]
fn SyncState(sheet: Sheet) -> impl IntoView {
    let lang = use_lang();
    let text = move || {
        let l = lang.get();
        match sheet.sync.get() {
            Sync::Saved => T::SheetSaved.get(l).to_owned(),
            Sync::Saving => T::SheetSaving.get(l).to_owned(),
            Sync::Offline => i18n::unsaved(
                sheet
                    .local
                    .with(|mine| sheet.saved.with(|theirs| mine.changes_from(theirs))),
                l,
            ),
            Sync::Conflict(..) => T::SheetConflict.get(l).to_owned(),
            Sync::Refused(why) => format!("{}{why}", T::SheetRefused.get(l)),
        }
    };
    let state = move || match sheet.sync.get() {
        Sync::Saved => "saved",
        Sync::Saving => "saving",
        Sync::Offline => "offline",
        Sync::Conflict(..) => "conflict",
        Sync::Refused(_) => "refused",
    };
    view! {
        <div class="sync-state" data-testid="sync-state" data-state=state role="status" aria-live="polite">
            <span class="sync-dot" aria-hidden="true"></span>
            <span>{text}</span>
        </div>
    }
}

/// Both sheets side by side, and the choice.
#[component]
fn ConflictPanel(sheet: Sheet, d: StoredValue<SessionDetail>) -> impl IntoView {
    let Sync::Conflict(theirs, their_version) = sheet.sync.get_untracked() else {
        return ().into_any();
    };
    let theirs = *theirs;
    let mine = sheet.local.get_untracked();
    set_timeout(
        || {
            if let Ok(Some(el)) = document().query_selector("[data-testid=conflict]") {
                el.scroll_into_view();
            }
        },
        std::time::Duration::from_millis(0),
    );
    let take = theirs.clone();
    view! {
        <section class="panel conflict-panel" data-testid="conflict" aria-labelledby="conflict-title">
            <h2 id="conflict-title" class="panel-title">{tr(T::SheetConflictTitle)}</h2>
            <p>{tr(T::SheetConflictHelp)}</p>
            <div class="conflict-sides">
                <div data-testid="conflict-mine">
                    <h3 class="sub-title">{tr(T::SheetMine)}</h3>
                    <TurnsText sheet=mine d />
                </div>
                <div data-testid="conflict-theirs">
                    <h3 class="sub-title">{tr(T::SheetTheirs)}</h3>
                    <TurnsText sheet=theirs d />
                </div>
            </div>
            <div class="inline-actions">
                <button type="button" class="btn btn-primary" data-testid="keep-mine"
                    on:click=move |_| sheet.keep_mine(their_version)>{tr(T::SheetKeepMine)}</button>
                <button type="button" class="btn btn-secondary" data-testid="take-theirs"
                    on:click=move |_| sheet.take_theirs(take.clone(), their_version)>{tr(T::SheetTakeTheirs)}</button>
            </div>
        </section>
    }
    .into_any()
}

/// Who a speaker is, in words.
fn speaker_name(s: &Speaker, d: &SessionDetail, lang: shared::Lang) -> String {
    match s {
        Speaker::Mediator { user_id } => d
            .summary
            .mediators
            .iter()
            .find(|m| m.id == *user_id)
            .map_or_else(
                || T::Mediator.get(lang).to_owned(),
                |m| format!("{} {}", T::Mediator.get(lang), m.name),
            ),
        Speaker::Party { position } => d
            .parties
            .iter()
            .find(|p| p.position == *position)
            .map_or_else(String::new, |p| {
                format!("{} {}", p.side.label(lang), p.name)
            }),
        Speaker::Other { label } => label.clone(),
    }
}

/// A record as text (read only).
#[component]
fn TurnsText(sheet: SessionSheet, d: StoredValue<SessionDetail>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ol class="turns-text">
            {sheet.turns.into_iter().map(|t| {
                let who = d.with_value(|d| speaker_name(&t.speaker, d, lang.get_untracked()));
                view! { <li><strong>{who}":"</strong>" "<span class="prose">{t.text}</span></li> }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn CheckInPanel(sheet: Sheet, d: StoredValue<SessionDetail>) -> impl IntoView {
    let lang = use_lang();
    let parties = d.with_value(|d| d.parties.clone());
    let set = move |position: u32, a: Attendance| {
        sheet.edit(
            |s| match s.attendance.iter_mut().find(|c| c.position == position) {
                Some(c) => c.attendance = a,
                None => s.attendance.push(CheckIn {
                    position,
                    attendance: a,
                    represented_by: String::new(),
                }),
            },
        );
    };
    view! {
        <section class="panel" aria-labelledby="checkin-title" data-testid="checkin">
            <h2 id="checkin-title" class="panel-title">{tr(T::CheckInTitle)}</h2>
            <ul class="checkin-list">
                {parties.into_iter().map(|p| {
                    let pos = p.position;
                    let side = p.side;
                    let attendance = move || sheet.local.with(|s| s.attendance_of(pos));
                    let by = move || sheet.local.with(|s| {
                        s.attendance.iter().find(|c| c.position == pos).map(|c| c.represented_by.clone()).unwrap_or_default()
                    });
                    let input_id = format!("represented-{pos}");
                    let input_id2 = input_id.clone();
                    view! {
                        <li class="checkin" data-testid="checkin-party" data-position=pos.to_string()
                            data-attendance=move || attendance().as_str()>
                            <div class="checkin-who">
                                <span class="muted">{move || side.label(lang.get())}</span>
                                <strong>{p.name.clone()}</strong>
                            </div>
                            <div class="segmented" role="group" aria-label=move || format!("{} {}", T::CheckInTitle.get(lang.get()), p.name)>
                                {[Attendance::Present, Attendance::Absent, Attendance::Represented].into_iter().map(|a| view! {
                                    <button type="button" data-testid=format!("checkin-{}", a.as_str())
                                        aria-pressed=move || (attendance() == a).to_string()
                                        disabled=move || !sheet.editable.get()
                                        on:click=move |_| set(pos, a)>
                                        {move || a.label(lang.get())}
                                    </button>
                                }).collect_view()}
                            </div>
                            {move || (attendance() == Attendance::Represented).then(|| view! {
                                <label class="field" for=input_id.clone()>
                                    <span class="field-name">{tr(T::RepresentedBy)}</span>
                                    <input id=input_id2.clone() type="text" maxlength="40" data-testid="represented-by"
                                        prop:value=by() disabled=move || !sheet.editable.get()
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            sheet.edit(|s| {
                                                if let Some(c) = s.attendance.iter_mut().find(|c| c.position == pos) {
                                                    c.represented_by = v;
                                                }
                                            });
                                        }
                                        on:blur=move |_| sheet.later(0) />
                                </label>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ConsentPanel(sheet: Sheet) -> impl IntoView {
    let lang = use_lang();
    let read = move || sheet.local.with(|s| s.consent_read);
    let begun = move || sheet.local.with(|s| s.started_at.is_some());
    view! {
        <section class="panel" aria-labelledby="consent-title" data-testid="consent">
            <h2 id="consent-title" class="panel-title">{tr(T::ConsentTitle)}</h2>
            <p class="consent-text prose">{move || consent_notice(lang.get())}</p>
            <label class="check check-big">
                <input type="checkbox" data-testid="consent-read" prop:checked=read
                    disabled=move || !sheet.editable.get() || begun()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        sheet.edit(|s| s.consent_read = on);
                    } />
                <span>{tr(T::ConsentRead)}</span>
            </label>
            {move || (!begun() && sheet.editable.get()).then(|| view! {
                <button type="button" class="btn btn-primary btn-big" data-testid="session-begin"
                    disabled=move || !read()
                    on:click=move |_| sheet.edit(|s| s.started_at = Some(time::now()))>
                    {tr(T::SessionBegin)}
                </button>
            })}
        </section>
    }
}

#[component]
fn FactsPanel(d: StoredValue<SessionDetail>) -> impl IntoView {
    let (summary, facts, request) =
        d.with_value(|d| (d.case_summary.clone(), d.facts.clone(), d.request.clone()));
    view! {
        <details class="panel facts-panel" data-testid="session-facts">
            <summary class="panel-title">{tr(T::SessionFacts)}</summary>
            <p><strong>{summary}</strong></p>
            <p class="prose">{facts}</p>
            <p class="prose"><span class="muted">{tr(T::Request)}": "</span>{request}</p>
        </details>
    }
}

/// A speaker as the value of a select.
fn speaker_value(s: &Speaker) -> String {
    match s {
        Speaker::Mediator { user_id } => format!("m{user_id}"),
        Speaker::Party { position } => format!("p{position}"),
        Speaker::Other { .. } => "o".to_owned(),
    }
}

fn speaker_of(v: &str, lang: shared::Lang) -> Option<Speaker> {
    let (kind, rest) = v.split_at_checked(1)?;
    match kind {
        "m" => rest
            .parse()
            .ok()
            .map(|user_id| Speaker::Mediator { user_id }),
        "p" => rest
            .parse()
            .ok()
            .map(|position| Speaker::Party { position }),
        "o" => Some(Speaker::Other {
            label: T::OtherSpeaker.get(lang).to_owned(),
        }),
        _ => None,
    }
}

/// Focuses the last turn's text (after adding one).
fn focus_last_turn() {
    set_timeout(
        || {
            let last = document()
                .query_selector_all("[data-testid=turn-text]")
                .ok()
                .and_then(|l| l.item(l.length().checked_sub(1)?));
            if let Some(el) =
                last.and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(n).ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(0),
    );
}

#[component]
fn RecordPanel(sheet: Sheet, d: StoredValue<SessionDetail>) -> impl IntoView {
    let lang = use_lang();
    let speakers: Vec<Speaker> = d.with_value(|d| {
        d.summary
            .mediators
            .iter()
            .map(|m| Speaker::Mediator { user_id: m.id })
            .chain(d.parties.iter().map(|p| Speaker::Party {
                position: p.position,
            }))
            .collect()
    });
    let speakers = StoredValue::new(speakers);
    let add = move |s: Speaker| {
        sheet.edit(|sheet| {
            sheet.turns.push(Turn {
                speaker: s,
                text: String::new(),
            });
        });
        focus_last_turn();
    };
    let count = move || sheet.local.with(|s| s.turns.len());
    view! {
        <section class="panel record-panel" aria-labelledby="record-title" data-testid="record">
            <h2 id="record-title" class="panel-title">{tr(T::RecordTitle)}</h2>
            {move || (count() == 0).then(|| view! { <p class="muted" data-testid="record-empty">{tr(T::RecordEmpty)}</p> })}
            {move || if sheet.editable.get() {
                view! {
                    <ol class="turns">
                        <For each=move || { let e = sheet.epoch.get(); (0..count()).map(move |i| (e, i)).collect::<Vec<_>>() }
                            key=|k| *k
                            children=move |(_, i)| view! { <TurnRow sheet d speakers i /> } />
                    </ol>
                }.into_any()
            } else {
                view! { <TurnsText sheet=sheet.local.get_untracked() d /> }.into_any()
            }}
            {move || sheet.editable.get().then(|| view! {
                <div class="add-turns" data-testid="add-turns">
                    {speakers.get_value().into_iter().chain([Speaker::Other { label: String::new() }]).map(|s| {
                        let label = d.with_value(|d| match &s {
                            Speaker::Other { .. } => T::OtherSpeaker.get(lang.get_untracked()).to_owned(),
                            other => speaker_name(other, d, lang.get_untracked()),
                        });
                        let s2 = match s {
                            Speaker::Other { .. } => Speaker::Other { label: T::OtherSpeaker.get(lang.get_untracked()).to_owned() },
                            other => other,
                        };
                        view! {
                            <button type="button" class="btn btn-secondary" data-testid="add-turn"
                                on:click=move |_| add(s2.clone())>
                                "+ "{label}
                            </button>
                        }
                    }).collect_view()}
                </div>
            })}
        </section>
    }
}

#[component]
fn TurnRow(
    sheet: Sheet,
    d: StoredValue<SessionDetail>,
    speakers: StoredValue<Vec<Speaker>>,
    i: usize,
) -> impl IntoView {
    let lang = use_lang();
    let turn = move || sheet.local.with(|s| s.turns.get(i).cloned());
    let initial = turn().map(|t| t.text).unwrap_or_default();
    let text_id = format!("turn-{i}");
    let text_id2 = text_id.clone();
    let speaker = move || turn().map(|t| t.speaker);
    let set_text = move |v: String| {
        sheet.edit(|s| {
            if let Some(t) = s.turns.get_mut(i) {
                t.text = v;
            }
        });
    };
    let remove = move |_| {
        sheet.edit(|s| {
            if i < s.turns.len() {
                s.turns.remove(i);
            }
        });
        sheet.epoch.update(|e| *e += 1);
    };
    view! {
        <li class="turn" data-testid="turn">
            <div class="turn-head">
                <label class="sr-only" for=format!("speaker-{i}")>{tr(T::Speaker)}</label>
                <select id=format!("speaker-{i}") data-testid="turn-speaker" disabled=move || !sheet.editable.get()
                    on:change=move |ev| {
                        if let Some(s) = speaker_of(&event_target_value(&ev), lang.get_untracked()) {
                            sheet.edit(|sh| if let Some(t) = sh.turns.get_mut(i) { t.speaker = s; });
                        }
                    }>
                    {speakers.get_value().into_iter().chain([Speaker::Other { label: String::new() }]).map(|s| {
                        let value = speaker_value(&s);
                        let v2 = value.clone();
                        let name = d.with_value(|d| match &s {
                            Speaker::Other { .. } => T::OtherSpeaker.get(lang.get_untracked()).to_owned(),
                            other => speaker_name(other, d, lang.get_untracked()),
                        });
                        view! {
                            <option value=value selected=move || speaker().is_some_and(|sp| speaker_value(&sp) == v2)>{name}</option>
                        }
                    }).collect_view()}
                </select>
                {move || match speaker() {
                    Some(Speaker::Other { label }) => Some(view! {
                        <label class="sr-only" for=format!("speaker-label-{i}")>{tr(T::SpeakerLabel)}</label>
                        <input id=format!("speaker-label-{i}") type="text" class="speaker-label" maxlength="20"
                            data-testid="turn-speaker-label" prop:value=label disabled=move || !sheet.editable.get()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                sheet.edit(|sh| if let Some(t) = sh.turns.get_mut(i) { t.speaker = Speaker::Other { label: v }; });
                            } />
                    }),
                    _ => None,
                }}
                {move || sheet.editable.get().then(|| view! {
                    <button type="button" class="btn btn-link turn-remove" data-testid="turn-remove" on:click=remove>
                        {tr(T::TurnRemove)}
                    </button>
                })}
            </div>
            <label class="sr-only" for=text_id>{tr(T::TurnText)}</label>
            <textarea id=text_id2 class="turn-text" data-testid="turn-text" rows="3" maxlength="5000"
                prop:value=initial disabled=move || !sheet.editable.get()
                on:input=move |ev| set_text(event_target_value(&ev))
                on:blur=move |_| sheet.later(0)></textarea>
        </li>
    }
}

#[component]
fn EndPanel(sheet: Sheet, d: StoredValue<SessionDetail>, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let outcome = RwSignal::new(None::<SessionOutcome>);
    let route = RwSignal::new(None::<LegalRoute>);
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let pending = RwSignal::new(false);
    let (case_id, mediators, parties, labels) = d.with_value(|d| {
        (
            d.summary.case_id,
            d.summary.mediators.iter().map(|m| m.id).collect::<Vec<_>>(),
            d.parties.iter().map(|p| p.position).collect::<Vec<_>>(),
            d.parties
                .iter()
                .map(|p| {
                    (
                        p.position,
                        format!("{} {}", p.side.label(lang.get_untracked()), p.name),
                    )
                })
                .collect::<Vec<_>>(),
        )
    });
    let next = RwSignal::new(NewSession {
        starts_at: None,
        minutes: d.with_value(|d| d.summary.minutes),
        room_id: d.with_value(|d| Some(d.summary.room.id)),
        mediators,
        parties,
        notify_parties: true,
    });
    let booking = LocalResource::new(move || api::case_sessions(case_id));
    let clean = move || matches!(sheet.sync.get(), Sync::Saved);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let chosen = outcome.get_untracked();
        let request = EndSession {
            version: sheet.version.get_untracked(),
            outcome: chosen,
            route: route
                .get_untracked()
                .filter(|_| chosen == Some(SessionOutcome::Terminated)),
            next: (chosen == Some(SessionOutcome::Continued)).then(|| next.get_untracked()),
            note: note.get_untracked(),
        };
        if let Err(fields) = request.check(time::now_local(), l) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::end_session(sheet.id, &request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    forget(sheet.id);
                    use_notices().success(T::SessionEnded.get(l));
                    reload.run(());
                }
                Err(err) => show_failure(&err, errors, l),
            }
        });
    };
    view! {
        <form class="panel end-panel" data-testid="end-session" on:submit=submit novalidate aria-labelledby="end-title">
            <h2 id="end-title" class="panel-title">{tr(T::EndTitle)}</h2>
            <fieldset class="outcomes">
                <legend class="sr-only">{tr(T::EndOutcome)}</legend>
                {SessionOutcome::ALL.iter().map(|o| {
                    let o = *o;
                    view! {
                        <label class="check check-big outcome">
                            <input type="radio" name="outcome" value=o.as_str() data-testid=format!("outcome-{}", o.as_str())
                                prop:checked=move || outcome.get() == Some(o)
                                on:change=move |_| outcome.set(Some(o)) />
                            <span>{move || o.label(lang.get())}</span>
                        </label>
                    }
                }).collect_view()}
                <FieldMessage name="outcome" errors=errs />
            </fieldset>
            {move || (outcome.get() == Some(SessionOutcome::Terminated)).then(|| view! {
                <label class="field" for="end-route">
                    <span class="field-name">{tr(T::EndRoute)}</span>
                    <select id="end-route" data-testid="end-route"
                        on:change=move |ev| route.set(LegalRoute::parse(&event_target_value(&ev)))>
                        <option value="">{tr(T::ChooseOne)}</option>
                        {TERMINATION_ROUTES.iter().map(|r| {
                            let r = *r;
                            view! { <option value=r.as_str() selected=move || route.get() == Some(r)>{move || r.label(lang.get())}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage name="route" errors=errs />
                </label>
            })}
            {move || (outcome.get() == Some(SessionOutcome::Continued)).then(|| match booking.get() {
                Some(Ok(b)) => view! {
                    <div class="next-session" data-testid="next-session">
                        <h3 class="sub-title">{tr(T::NextSession)}</h3>
                        <BookingFields prefix="next" rooms=b.rooms mediators=b.mediators parties=labels.clone() value=next errors=errs />
                    </div>
                }.into_any(),
                Some(Err(err)) => view! { <p class="error-text">{err.message(lang.get_untracked())}</p> }.into_any(),
                None => view! { <Loading /> }.into_any(),
            })}
            <label class="field" for="end-note">
                <span class="field-name">{tr(T::EndNote)}</span>
                <textarea id="end-note" rows="2" maxlength="5000" data-testid="end-note"
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <FieldMessage name="note" errors=errs />
            </label>
            {move || errors.with(|e| {
                e.iter()
                    .filter(|f| f.field == "consent_read" || f.field.starts_with("attendance"))
                    .map(|f| view! { <p class="error-text" role="alert">{f.message.clone()}</p> })
                    .collect_view()
            })}
            {move || (!clean()).then(|| view! { <p class="hint">{tr(T::EndWaitSaved)}</p> })}
            <div class="inline-actions">
                <button type="submit" class="btn btn-primary btn-big" data-testid="end-submit"
                    disabled=move || pending.get() || !clean()>{tr(T::EndSubmit)}</button>
            </div>
        </form>
    }
}

#[component]
fn EndedNote(d: StoredValue<SessionDetail>) -> impl IntoView {
    let lang = use_lang();
    let (outcome, route, note, next, case_id) = d.with_value(|d| {
        (
            d.summary.outcome,
            d.route,
            d.note.clone(),
            d.next_session_id,
            d.summary.case_id,
        )
    });
    view! {
        <section class="panel" data-testid="session-ended">
            <h2 class="panel-title">{tr(T::SessionOver)}</h2>
            {outcome.map(|o| view! { <p class="check-big" data-testid="session-outcome">{move || o.label(lang.get())}</p> })}
            {route.map(|r| view! { <p>{tr(T::EndRoute)}": "{move || r.label(lang.get())}</p> })}
            {(!note.is_empty()).then(|| view! { <p class="prose">{note.clone()}</p> })}
            {next.map(|n| view! { <p><a href=format!("/sessions/{n}") data-testid="next-session-link">{tr(T::NextSessionOpen)}</a></p> })}
            <p><a href=format!("/cases/{case_id}")>{tr(T::BackToCase)}</a></p>
        </section>
    }
}

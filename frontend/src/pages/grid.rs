//! `/grid`: the grid worker's phone (360 × 640 first). A visit (民情走访) is logged in the
//! field — the date, the unit, the household or place, who was met, what was found (tags), a
//! photo made small in the browser — and what was found becomes a case in the same step:
//! settled on the spot (就地化解: registered and closed at once) or reported to the center (a
//! registered case on the lead's board). Below the form: the open cases of the worker's own
//! units (and only those), and their latest visits.
//!
//! **Nothing typed is lost.** Every change is kept on the device (`localStorage`) at once;
//! sending without a network keeps the visit there, says so, and sends it again when the
//! network returns (the browser's `online` event, and every few seconds). The visit carries a
//! key made when the form was opened, so a send whose answer was lost and is sent again is
//! the same visit on the server, never a second one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::error::FieldError;
use shared::grid::{
    MyGrid, NewGridVisit, PHOTO_MAX_BYTES, PHOTO_MAX_SIDE, VisitMatter, VisitPhoto,
};
use shared::model::{CaseKind, Category, Outcome, RiskLevel, VisitOutcome, VisitTag};
use shared::repeats::RepeatSearch;
use shared::validate::is_valid_phone;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;
use crate::logic::time;
use crate::pages::households::HouseholdList;
use crate::pages::repeats::RepeatCheck;
use crate::session::use_session;

/// Between tries while the network is down.
const RETRY_MS: u32 = 5000;

/// The fields the form shows a refusal beside.
const SHOWN: &[&str] = &[
    "visited_on",
    "unit_id",
    "place",
    "met",
    "phone",
    "findings",
    "tags",
    "outcome",
    "matter.summary",
    "matter.respondent",
    "matter.request",
    "matter.result",
    "matter.result_summary",
    "photo",
    "client_key",
];

/// The form as kept on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Draft {
    key: String,
    visited_on: chrono::NaiveDate,
    unit_id: i64,
    place: String,
    met: String,
    phone: String,
    findings: String,
    tags: Vec<VisitTag>,
    outcome: VisitOutcome,
    kind: CaseKind,
    category: Category,
    risk: RiskLevel,
    summary: String,
    request: String,
    respondent: String,
    result: Outcome,
    result_summary: String,
    photo: Option<VisitPhoto>,
    repeat_of: Option<String>,
    not_repeat_of: Vec<String>,
    /// A send failed for want of a network: it is tried again by itself.
    waiting: bool,
    /// What was sent, exactly: tried again as it was (the form is locked meanwhile), so a
    /// send whose answer was lost and a later one are the same visit.
    #[serde(default)]
    pending: Option<NewGridVisit>,
}

fn fresh_key() -> String {
    let random = (js_sys::Math::random() * 1e12) as u64;
    format!("v-{}-{random:x}", js_sys::Date::now() as u64)
}

impl Draft {
    fn new(unit_id: i64) -> Draft {
        Draft {
            key: fresh_key(),
            visited_on: time::today(),
            unit_id,
            place: String::new(),
            met: String::new(),
            phone: String::new(),
            findings: String::new(),
            tags: Vec::new(),
            outcome: VisitOutcome::Noted,
            kind: CaseKind::Dispute,
            category: Category::Neighbour,
            risk: RiskLevel::Low,
            summary: String::new(),
            request: String::new(),
            respondent: String::new(),
            result: Outcome::AgreementOral,
            result_summary: String::new(),
            photo: None,
            repeat_of: None,
            not_repeat_of: Vec::new(),
            waiting: false,
            pending: None,
        }
    }

    fn request(&self) -> NewGridVisit {
        let phone = Some(self.phone.trim().to_owned()).filter(|p| !p.is_empty());
        let matter = (self.outcome != VisitOutcome::Noted).then(|| VisitMatter {
            kind: self.kind,
            category: self.category,
            risk: self.risk,
            summary: self.summary.trim().to_owned(),
            request: self.request.trim().to_owned(),
            respondent: self.respondent.trim().to_owned(),
            result: (self.outcome == VisitOutcome::Resolved).then_some(self.result),
            result_summary: if self.outcome == VisitOutcome::Resolved {
                self.result_summary.trim().to_owned()
            } else {
                String::new()
            },
            repeat_of: self.repeat_of.clone(),
            not_repeat_of: self.not_repeat_of.clone(),
        });
        NewGridVisit {
            client_key: self.key.clone(),
            visited_on: self.visited_on,
            unit_id: self.unit_id,
            place: self.place.trim().to_owned(),
            met: self.met.trim().to_owned(),
            phone,
            findings: self.findings.trim().to_owned(),
            tags: self.tags.clone(),
            outcome: self.outcome,
            matter,
            photo: self.photo.clone(),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn draft_key(user: i64) -> String {
    format!("concord.grid.draft.{user}")
}

fn kept(user: i64) -> Option<Draft> {
    let text = storage()?.get_item(&draft_key(user)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn keep(user: i64, d: &Draft) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(d)) {
        let _ = s.set_item(&draft_key(user), &text);
    }
}

fn forget(user: i64) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&draft_key(user));
    }
}

/// `/grid`.
#[component]
pub fn GridPage() -> impl IntoView {
    let lang = use_lang();
    let loaded = LocalResource::new(api::my_grid);
    view! {
        <section class="page page-grid" data-testid="grid-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("我的网格", "My grid")}</h1>
            </div>
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| loaded.refetch()) /> }.into_any(),
                Some(Ok(g)) => view! { <Grid g reload=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Grid(g: MyGrid, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let units = g.units.clone();
    let no_units = units.is_empty();
    let visits_this_month = g.visits_this_month;
    view! {
        <p class="grid-units" data-testid="grid-units">
            {units.iter().map(|u| {
                let last = u.last_visit;
                let name = u.name.clone();
                view! {
                    <span class="grid-unit-chip">
                        {name}
                        <span class="muted">{move || match last {
                            Some(d) => format!(" · {}{}", lang.get().pick("最近走访 ", "last visit "), time::date(d)),
                            None => lang.get().pick(" · 尚无走访", " · not visited yet").to_owned(),
                        }}</span>
                    </span>
                }
            }).collect_view()}
            <span class="grid-month" data-testid="grid-month">{move || match lang.get() {
                shared::Lang::Zh => format!("本月走访 {visits_this_month} 次"),
                shared::Lang::En => format!("{visits_this_month} visits this month"),
            }}</span>
        </p>
        {if no_units {
            view! { <p class="state state-empty" data-testid="grid-no-units">{move || lang.get().pick("您目前没有负责的网格单元,请联系中心负责人在网格名册中安排。", "You cover no unit now: ask the center lead to assign you on the grid roster.")}</p> }.into_any()
        } else {
            view! { <VisitForm g=g.clone() reload /> }.into_any()
        }}
        <MyCases g=g.clone() />
        <RecentVisits g />
    }
}

/// The visit form, kept on the device as it is typed.
#[component]
fn VisitForm(g: MyGrid, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let session = use_session();
    let user = session
        .user
        .with_untracked(|u| u.as_ref().map_or(0, |u| u.id));
    let first_unit = g.units.first().map_or(0, |u| u.id);
    let places: Vec<(i64, String)> = g.units.iter().flat_map(|u| u.within.clone()).collect();
    // A draft kept on the device is never thrown away: one for a unit no longer covered keeps
    // what was typed, at the first unit (and a visit waiting to be sent still goes as sent).
    let moved = RwSignal::new(false);
    let start = match kept(user) {
        Some(d) if places.iter().any(|(id, _)| *id == d.unit_id) || d.pending.is_some() => d,
        Some(mut d) => {
            d.unit_id = first_unit;
            moved.set(true);
            d
        }
        None => Draft::new(first_unit),
    };
    let draft = RwSignal::new(start);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let sending = StoredValue::new(false);
    let busy = RwSignal::new(false);
    let photo_note = RwSignal::new(None::<String>);
    let households_open = RwSignal::new(false);
    // The list is loaded again only when the unit changes, not at every keystroke.
    let unit_id = Memo::new(move |_| draft.with(|d| d.unit_id));
    // Kept on the device at every change.
    Effect::new(move |_| draft.with(|d| keep(user, d)));
    let edit = move |f: &dyn Fn(&mut Draft)| draft.update(|d| f(d));

    let send = move || {
        if sending.get_value() {
            return;
        }
        let request = match draft.with_untracked(|d| d.pending.clone()) {
            Some(sent) => sent,
            None => {
                let request = draft.with_untracked(Draft::request);
                if let Err(fields) = request.check(time::today(), lang.get_untracked()) {
                    errors.set(fields);
                    return;
                }
                draft.update(|d| d.pending = Some(request.clone()));
                request
            }
        };
        sending.set_value(true);
        busy.set(true);
        spawn_local(async move {
            let answer = api::log_grid_visit(&request).await;
            sending.set_value(false);
            busy.set(false);
            match answer {
                Ok(v) => {
                    errors.set(Vec::new());
                    forget(user);
                    let unit = draft.with_untracked(|d| d.unit_id);
                    draft.set(Draft::new(unit));
                    let l = lang.get_untracked();
                    let text = match (&v.case, v.outcome) {
                        (Some(c), VisitOutcome::Resolved) => match l {
                            shared::Lang::Zh => {
                                format!("走访已记录,就地化解的案件 {} 已登记并办结。", c.code)
                            }
                            shared::Lang::En => format!(
                                "Visit logged; case {} registered and closed on the spot.",
                                c.code
                            ),
                        },
                        (Some(c), _) => match l {
                            shared::Lang::Zh => format!("走访已记录,案件 {} 已上报中心。", c.code),
                            shared::Lang::En => {
                                format!("Visit logged; case {} reported to the center.", c.code)
                            }
                        },
                        (None, _) => l.pick("走访已记录。", "Visit logged.").to_owned(),
                    };
                    notices.success(text);
                    reload.run(());
                }
                Err(api::Error::Network(_)) => {
                    draft.update(|d| d.waiting = true);
                }
                Err(e) => {
                    // Refused: the form is the person's again, to put right.
                    draft.update(|d| {
                        d.waiting = false;
                        d.pending = None;
                    });
                    let l = lang.get_untracked();
                    let fields = e.fields(l);
                    // A refusal of a field the form does not show is said aloud.
                    let shown = |f: &FieldError| SHOWN.contains(&f.field.as_str());
                    if fields.is_empty() {
                        notices.error(e.message(l), None);
                    } else if let Some(f) = fields.iter().find(|f| !shown(f)) {
                        notices.error(f.message.clone(), None);
                    }
                    errors.set(fields);
                }
            }
        });
    };
    // A visit waiting for the network goes when it returns, and is tried every few seconds.
    let online = window_event_listener(leptos::ev::online, move |_| {
        if draft.with_untracked(|d| d.waiting) {
            send();
        }
    });
    on_cleanup(move || online.remove());
    if let Ok(ticker) = set_interval_with_handle(
        move || {
            if draft.try_with_untracked(|d| d.waiting).unwrap_or(false) {
                send();
            }
        },
        std::time::Duration::from_millis(u64::from(RETRY_MS)),
    ) {
        on_cleanup(move || ticker.clear());
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };
    let discard = move |_| {
        forget(user);
        let unit = draft.with_untracked(|d| d.unit_id);
        draft.set(Draft::new(unit));
        errors.set(Vec::new());
    };

    let text = move |id: &'static str,
                     field: &'static str,
                     zh: &'static str,
                     en: &'static str,
                     kind: &'static str,
                     get: fn(&Draft) -> String,
                     set: fn(&mut Draft, String)| {
        view! {
            <div class="field">
                <label for=id>{move || lang.get().pick(zh, en)}</label>
                <input id=id name=field type=kind data-testid=id
                    autocomplete="off"
                    aria-describedby=format!("err-{field}")
                    prop:value=move || draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); } />
                <FieldMessage name=field errors=errs />
            </div>
        }
    };
    let area = move |id: &'static str,
                     field: &'static str,
                     zh: &'static str,
                     en: &'static str,
                     get: fn(&Draft) -> String,
                     set: fn(&mut Draft, String)| {
        view! {
            <div class="field">
                <label for=id>{move || lang.get().pick(zh, en)}</label>
                <textarea id=id name=field rows="3" data-testid=id
                    aria-describedby=format!("err-{field}")
                    prop:value=move || draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); }></textarea>
                <FieldMessage name=field errors=errs />
            </div>
        }
    };
    let matter = move || draft.with(|d| d.outcome != VisitOutcome::Noted);
    let resolved = move || draft.with(|d| d.outcome == VisitOutcome::Resolved);
    let search = Signal::derive(move || {
        let phone = draft.with(|d| d.phone.trim().to_owned());
        RepeatSearch {
            phones: if is_valid_phone(&phone) {
                vec![phone]
            } else {
                Vec::new()
            },
            id_numbers: Vec::new(),
            exclude_case_id: None,
        }
    });

    let pick_photo = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        photo_note.set(Some(
            lang.get_untracked()
                .pick("正在处理照片…", "Preparing the photo…")
                .to_owned(),
        ));
        shrink_photo(&file, move |result| match result {
            Ok(photo) => {
                let kb = photo.data.len() * 3 / 4 / 1024;
                draft.update(|d| d.photo = Some(photo));
                photo_note.set(Some(match lang.get_untracked() {
                    shared::Lang::Zh => format!("照片已压缩为 {kb} KB。"),
                    shared::Lang::En => format!("Photo reduced to {kb} KB."),
                }));
            }
            Err(()) => {
                photo_note.set(Some(
                    lang.get_untracked()
                        .pick(
                            "这张照片无法读取,请换一张。",
                            "This photo cannot be read: choose another.",
                        )
                        .to_owned(),
                ));
            }
        });
        input.set_value("");
    };

    view! {
        <form class="panel grid-visit" on:submit=submit novalidate data-testid="grid-visit-form" aria-labelledby="grid-visit-title">
            <h2 id="grid-visit-title" class="panel-title">{move || lang.get().pick("记录走访", "Log a visit")}</h2>
            <Show when=move || draft.with(|d| d.waiting)>
                <p class="sync-bar sync-offline" role="status" data-testid="grid-waiting">
                    {move || lang.get().pick("网络不通:这次走访已保存在本机,网络恢复后自动发送(发送前不能修改)。", "No network: this visit is kept on the device and is sent as it is when the network returns.")}
                </p>
            </Show>
            <Show when=move || moved.get()>
                <p class="sync-bar sync-offline" role="status" data-testid="grid-moved">
                    {move || lang.get().pick("上次未发送的走访所在网格已不由您负责,请重新选择网格单元。", "The unit of the visit you had not sent is no longer yours: choose the unit again.")}
                </p>
            </Show>
            <fieldset class="grid-fields" disabled=move || draft.with(|d| d.waiting)>
            <legend class="sr-only">{move || lang.get().pick("走访内容", "The visit")}</legend>
            <div class="field">
                <label for="grid-date">{move || lang.get().pick("走访日期", "Date")}</label>
                <input id="grid-date" type="date" name="visited_on" data-testid="grid-date"
                    aria-describedby="err-visited_on"
                    prop:value=move || draft.with(|d| time::date(d.visited_on))
                    on:change=move |ev| {
                        if let Ok(day) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") {
                            draft.update(|d| d.visited_on = day);
                        }
                    } />
                <FieldMessage name="visited_on" errors=errs />
            </div>
            <div class="field">
                <label for="grid-unit">{move || lang.get().pick("网格单元", "Unit")}</label>
                <select id="grid-unit" name="unit_id" data-testid="grid-unit" aria-describedby="err-unit_id"
                    on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                            draft.update(|d| d.unit_id = id);
                        }
                    }>
                    {places.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=move || draft.with(|d| d.unit_id == id)>{name}</option>
                    }).collect_view()}
                </select>
                <FieldMessage name="unit_id" errors=errs />
            </div>
            <details class="grid-households" data-testid="grid-households"
                on:toggle=move |ev| {
                    let open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
                    households_open.set(open);
                }>
                <summary>{move || lang.get().pick("从户籍名单中选择", "Choose from the household list")}</summary>
                {move || households_open.get().then(|| {
                    let unit = unit_id.get();
                    view! { <HouseholdList unit on_pick=Callback::new(move |h: shared::grid::Household| draft.update(|d| {
                        d.place = if h.address.is_empty() { h.head.clone() } else { h.address.clone() };
                        d.met = h.head.clone();
                        d.phone = h.phone.clone().unwrap_or_default();
                    })) /> }
                })}
            </details>
            {text("grid-place", "place", "户或地点", "Household or place", "text", |d| d.place.clone(), |d, v| d.place = v)}
            <div class="grid-two">
                {text("grid-met", "met", "走访对象", "Who was met", "text", |d| d.met.clone(), |d, v| d.met = v)}
                {text("grid-phone", "phone", "联系电话", "Phone", "tel", |d| d.phone.clone(), |d, v| d.phone = v)}
            </div>
            <fieldset class="field grid-tags" aria-describedby="err-tags">
                <legend>{move || lang.get().pick("走访情况", "What was found")}</legend>
                <div class="chip-choices">
                    {VisitTag::ALL.iter().map(|t| {
                        let t = *t;
                        let on = move || draft.with(|d| d.tags.contains(&t));
                        view! {
                            <label class="chip-choice" class:chosen=on data-testid=format!("grid-tag-{}", t.as_str())>
                                <input type="checkbox" prop:checked=on on:change=move |_| edit(&|d: &mut Draft| {
                                    if let Some(i) = d.tags.iter().position(|x| *x == t) {
                                        d.tags.remove(i);
                                    } else if t == VisitTag::Nothing {
                                        d.tags = vec![t];
                                        d.outcome = VisitOutcome::Noted;
                                    } else {
                                        d.tags.retain(|x| *x != VisitTag::Nothing);
                                        d.tags.push(t);
                                    }
                                }) />
                                {move || t.label(lang.get())}
                            </label>
                        }
                    }).collect_view()}
                </div>
                <FieldMessage name="tags" errors=errs />
            </fieldset>
            {area("grid-findings", "findings", "走访发现", "Findings", |d| d.findings.clone(), |d, v| d.findings = v)}
            <RepeatCheck search
                linked=Signal::derive(move || draft.with(|d| d.repeat_of.clone()))
                different=Signal::derive(move || draft.with(|d| d.not_repeat_of.clone()))
                on_link=Callback::new(move |code: String| draft.update(|d| {
                    d.repeat_of = if d.repeat_of.as_deref() == Some(code.as_str()) { None } else { Some(code) };
                    if d.outcome == VisitOutcome::Noted && d.repeat_of.is_some() {
                        d.outcome = VisitOutcome::Reported;
                    }
                }))
                on_different=Callback::new(move |code: String| draft.update(|d| {
                    if !d.not_repeat_of.contains(&code) {
                        d.not_repeat_of.push(code);
                    }
                }))
                on_matches=Callback::new(|_| {})
                petition=Signal::derive(move || draft.with(|d| d.kind == CaseKind::Petition)) />
            <fieldset class="field grid-outcome" aria-describedby="err-outcome">
                <legend>{move || lang.get().pick("处理方式", "What becomes of it")}</legend>
                {VisitOutcome::ALL.iter().map(|o| {
                    let o = *o;
                    view! {
                        <label class="radio-row" data-testid=format!("grid-outcome-{}", o.as_str())>
                            <input type="radio" name="outcome" value=o.as_str()
                                prop:checked=move || draft.with(|d| d.outcome == o)
                                on:change=move |_| draft.update(|d| d.outcome = o) />
                            {move || o.label(lang.get())}
                        </label>
                    }
                }).collect_view()}
                <FieldMessage name="outcome" errors=errs />
            </fieldset>
            <Show when=matter>
                <div class="grid-matter" data-testid="grid-matter">
                    <div class="grid-two">
                        <div class="field">
                            <label for="grid-kind">{move || lang.get().pick("事项类型", "Kind")}</label>
                            <select id="grid-kind" data-testid="grid-kind" on:change=move |ev| {
                                if let Some(k) = CaseKind::parse(&event_target_value(&ev)) { draft.update(|d| d.kind = k); }
                            }>
                                {CaseKind::ALL.iter().map(|k| { let k = *k; view! {
                                    <option value=k.as_str() selected=move || draft.with(|d| d.kind == k)>{move || k.label(lang.get())}</option>
                                }}).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="grid-category">{move || lang.get().pick("纠纷类别", "Category")}</label>
                            <select id="grid-category" data-testid="grid-category" on:change=move |ev| {
                                if let Some(c) = Category::parse(&event_target_value(&ev)) { draft.update(|d| d.category = c); }
                            }>
                                {Category::ALL.iter().map(|c| { let c = *c; view! {
                                    <option value=c.as_str() selected=move || draft.with(|d| d.category == c)>{move || c.label(lang.get())}</option>
                                }}).collect_view()}
                            </select>
                        </div>
                    </div>
                    <div class="field">
                        <label for="grid-risk">{move || lang.get().pick("风险等级", "Risk")}</label>
                        <select id="grid-risk" data-testid="grid-risk" on:change=move |ev| {
                            if let Some(r) = RiskLevel::parse(&event_target_value(&ev)) { draft.update(|d| d.risk = r); }
                        }>
                            {RiskLevel::ALL.iter().map(|r| { let r = *r; view! {
                                <option value=r.as_str() selected=move || draft.with(|d| d.risk == r)>{move || r.label(lang.get())}</option>
                            }}).collect_view()}
                        </select>
                    </div>
                    {text("grid-summary", "matter.summary", "事项摘要(一句话)", "Summary (one line)", "text", |d| d.summary.clone(), |d, v| d.summary = v)}
                    {text("grid-respondent", "matter.respondent", "对方当事人(如有)", "The other side (if any)", "text", |d| d.respondent.clone(), |d, v| d.respondent = v)}
                    {area("grid-request", "matter.request", "群众诉求", "What they ask for", |d| d.request.clone(), |d, v| d.request = v)}
                    <Show when=resolved>
                        <div class="field">
                            <label for="grid-result">{move || lang.get().pick("化解结果", "Result")}</label>
                            <select id="grid-result" data-testid="grid-result" aria-describedby="err-matter.result" on:change=move |ev| {
                                if let Some(o) = Outcome::parse(&event_target_value(&ev)) { draft.update(|d| d.result = o); }
                            }>
                                {Outcome::ALL.iter().filter(|o| o.is_resolved()).map(|o| { let o = *o; view! {
                                    <option value=o.as_str() selected=move || draft.with(|d| d.result == o)>{move || o.label(lang.get())}</option>
                                }}).collect_view()}
                            </select>
                            <FieldMessage name="matter.result" errors=errs />
                        </div>
                        {area("grid-result-summary", "matter.result_summary", "化解情况", "How it was settled", |d| d.result_summary.clone(), |d, v| d.result_summary = v)}
                    </Show>
                </div>
            </Show>
            <div class="field">
                <span class="field-label" id="grid-photo-label">{move || lang.get().pick("现场照片(可选)", "Photo (optional)")}</span>
                // The browser's own file button speaks the browser's language: a labelled button
                // of ours stands for it (the input stays focusable and named).
                <input id="grid-photo" type="file" accept="image/jpeg,image/png,image/*" capture="environment"
                    class="file-input" data-testid="grid-photo" aria-labelledby="grid-photo-label grid-photo-button"
                    aria-describedby="err-photo" on:change=pick_photo />
                <label for="grid-photo" id="grid-photo-button" class="btn btn-secondary file-button">
                    {move || if draft.with(|d| d.photo.is_some()) {
                        lang.get().pick("换一张照片", "Another photo")
                    } else {
                        lang.get().pick("拍照或选择照片", "Take or choose a photo")
                    }}
                </label>
                <Show when=move || photo_note.with(Option::is_some)>
                    <p class="muted" role="status" data-testid="grid-photo-note">{move || photo_note.get()}</p>
                </Show>
                {move || draft.with(|d| d.photo.clone()).map(|p| view! {
                    <div class="grid-photo-preview">
                        <img src=format!("data:{};base64,{}", p.content_type, p.data) alt=move || lang.get().pick("现场照片预览", "The photo") data-testid="grid-photo-preview" />
                        <button type="button" class="btn btn-secondary btn-small" data-testid="grid-photo-remove"
                            on:click=move |_| { draft.update(|d| d.photo = None); photo_note.set(None); }>
                            {move || lang.get().pick("删除照片", "Remove photo")}
                        </button>
                    </div>
                })}
                <FieldMessage name="photo" errors=errs />
            </div>
            <FieldMessage name="client_key" errors=errs />
            </fieldset>
            <div class="form-actions grid-actions">
                <button type="submit" class="btn btn-primary btn-block" data-testid="grid-send" disabled=move || busy.get() || draft.with(|d| d.waiting)>
                    {move || match draft.with(|d| d.outcome) {
                        VisitOutcome::Noted => lang.get().pick("保存走访", "Save the visit"),
                        VisitOutcome::Resolved => lang.get().pick("保存并登记就地化解", "Save and record as settled"),
                        VisitOutcome::Reported => lang.get().pick("保存并上报中心", "Save and report to the center"),
                    }}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="grid-discard" on:click=discard>
                    {move || lang.get().pick("清空", "Clear")}
                </button>
            </div>
        </form>
    }
}

/// Reads `file`, draws it at most `PHOTO_MAX_SIDE` pixels on its longer side and encodes it
/// as JPEG, lowering the quality until it fits `PHOTO_MAX_BYTES`; calls `done` with the photo.
/// (Read as a `data:` address: the page's policy allows those as images, not `blob:` ones.)
fn shrink_photo(file: &web_sys::File, done: impl Fn(Result<VisitPhoto, ()>) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err(()));
        return;
    };
    let done = std::rc::Rc::new(done);
    let reader_for_load = reader.clone();
    let on_read = Closure::once(move |_: web_sys::Event| {
        let Some(url) = reader_for_load.result().ok().and_then(|v| v.as_string()) else {
            done(Err(()));
            return;
        };
        let Ok(img) = web_sys::HtmlImageElement::new() else {
            done(Err(()));
            return;
        };
        let img_for_load = img.clone();
        let done_load = done.clone();
        let on_load = Closure::once(move |_: web_sys::Event| {
            done_load(encode(&img_for_load).ok_or(()));
        });
        let done_error = done.clone();
        let on_error = Closure::once(move |_: web_sys::Event| done_error(Err(())));
        img.set_onload(Some(on_load.as_ref().unchecked_ref()));
        img.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_load.forget();
        on_error.forget();
        img.set_src(&url);
    });
    reader.set_onload(Some(on_read.as_ref().unchecked_ref()));
    on_read.forget();
    if reader.read_as_data_url(file).is_err() {
        reader.set_onload(None);
    }
}

fn encode(img: &web_sys::HtmlImageElement) -> Option<VisitPhoto> {
    let (w, h) = (img.natural_width(), img.natural_height());
    if w == 0 || h == 0 {
        return None;
    }
    let canvas: web_sys::HtmlCanvasElement =
        document().create_element("canvas").ok()?.dyn_into().ok()?;
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let mut side = PHOTO_MAX_SIDE;
    for quality in [0.82, 0.7, 0.55, 0.45, 0.35, 0.3] {
        let scale = (f64::from(side) / f64::from(w.max(h))).min(1.0);
        let (cw, ch) = (
            ((f64::from(w) * scale).round() as u32).max(1),
            ((f64::from(h) * scale).round() as u32).max(1),
        );
        canvas.set_width(cw);
        canvas.set_height(ch);
        ctx.draw_image_with_html_image_element_and_dw_and_dh(
            img,
            0.0,
            0.0,
            f64::from(cw),
            f64::from(ch),
        )
        .ok()?;
        let url = canvas
            .to_data_url_with_type_and_encoder_options("image/jpeg", &quality.into())
            .ok()?;
        let data = url.split_once(',').map(|(_, d)| d.to_owned())?;
        if data.len() / 4 * 3 <= PHOTO_MAX_BYTES {
            return Some(VisitPhoto {
                content_type: "image/jpeg".to_owned(),
                data,
            });
        }
        side = side * 4 / 5;
    }
    None
}

/// The open cases of the worker's units.
#[component]
fn MyCases(g: MyGrid) -> impl IntoView {
    let lang = use_lang();
    let count = g.cases.len();
    view! {
        <section class="panel" aria-labelledby="grid-cases-title" data-testid="grid-cases">
            <h2 id="grid-cases-title" class="panel-title">{move || match lang.get() {
                shared::Lang::Zh => format!("本网格在办案件({count})"),
                shared::Lang::En => format!("Open cases in my units ({count})"),
            }}</h2>
            {if g.cases.is_empty() {
                view! { <p class="state state-empty">{move || lang.get().pick("本网格暂无在办案件。", "No open case in your units.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="grid-case-list">
                        {g.cases.into_iter().map(|c| {
                            let stage = c.stage;
                            let due = c.due_on;
                            let label = c.code.clone();
                            view! {
                                <li class="grid-case" data-testid="grid-case" data-code=c.code>
                                    <a href=format!("/cases/{}", c.id) class="mono">{label}</a>
                                    <span class="chip">{move || stage.label(lang.get())}</span>
                                    <p class="grid-case-summary">{c.summary.clone()}</p>
                                    <p class="muted">{c.village.clone()}" · "{move || lang.get().pick("期限 ", "due ")}{time::date(due)}
                                        {c.handler_name.clone().map(|h| format!(" · {h}"))}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The worker's latest visits.
#[component]
fn RecentVisits(g: MyGrid) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="panel" aria-labelledby="grid-recent-title" data-testid="grid-recent">
            <h2 id="grid-recent-title" class="panel-title">{move || lang.get().pick("最近走访", "Latest visits")}</h2>
            {if g.recent.is_empty() {
                view! { <p class="state state-empty">{move || lang.get().pick("还没有走访记录。", "No visit logged yet.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="grid-visit-list">
                        {g.recent.into_iter().map(|v| {
                            let outcome = v.outcome;
                            let tags = v.tags.clone();
                            view! {
                                <li data-testid="grid-visit" data-outcome=outcome.as_str()>
                                    <p><strong>{time::date(v.visited_on)}</strong>" · "{v.unit.clone()}" · "{v.place.clone()}</p>
                                    <p class="muted">
                                        {move || tags.iter().map(|t| t.label(lang.get())).collect::<Vec<_>>().join("、")}
                                        " · "{move || outcome.label(lang.get())}
                                        {v.case.clone().map(|c| view! { " · " <a class="mono" href=format!("/cases/{}", c.id)>{c.code}</a> })}
                                        {v.has_photo.then(|| view! { " · " <a href=format!("/api/grid/visits/{}/photo", v.id) target="_blank" rel="noopener">{move || lang.get().pick("照片", "photo")}</a> })}
                                    </p>
                                    {(!v.findings.is_empty()).then(|| view! { <p class="grid-findings">{v.findings.clone()}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

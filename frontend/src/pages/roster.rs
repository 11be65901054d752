//! `/roster`: the town's people. **The grid** (网格名册): every village, area and group with who
//! covers it and since when (镇领导包村、专职网格员包片、辅助网格员包组), who covered it before,
//! households, open cases, the latest visit — gaps and units not visited in N days flagged —
//! and each worker's visits in a month; the lead hands a unit over from a day on, or records
//! households. **The mediators** (调解员名册): mediators and village legal helpers with the
//! selection standards recorded, the committee they serve, appointment, trainings, load and
//! satisfaction; the lead adds and edits them and records trainings.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use shared::Lang;
use shared::error::FieldError;
use shared::grid::{Assign, GridRoster, GridUnit, SetHouseholds};
use shared::model::{Category, GridDuty, OrgLevel, OrgUnit, Quality, Role, RosterKind};
use shared::roster::{NewTraining, PeopleRoster, PersonForm, RosterPerson};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;
use crate::logic::time;
use crate::pages::households::HouseholdList;
use crate::session::use_session;

/// `/roster` (`?tab=people` for the mediators).
#[component]
pub fn RosterPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let session = use_session();
    let role = Memo::new(move |_| session.user.with(|u| u.as_ref().map(|u| u.role)));
    // Each tab for those the server lets read it: the grid for the center's staff, town
    // leaders and grid workers; the mediators for the staff, town leaders and mediators.
    let sees_grid = move || {
        matches!(
            role.get(),
            Some(Role::Lead | Role::Clerk | Role::TownLeader | Role::GridWorker)
        )
    };
    let sees_people = move || {
        matches!(
            role.get(),
            Some(Role::Lead | Role::Clerk | Role::TownLeader | Role::Mediator)
        )
    };
    let people_tab = Memo::new(move |_| {
        let asked = query.with(|q| q.get("tab").as_deref() == Some("people"));
        (asked && sees_people()) || !sees_grid()
    });
    view! {
        <section class="page page-roster" data-testid="roster-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("人员名册", "Rosters")}</h1>
                <p class="muted">{move || lang.get().pick(
                    "镇领导包村、专职网格员包片、辅助网格员包组;人民调解员与法律明白人。",
                    "Town leaders cover villages, full-time grid workers areas, auxiliary grid workers groups; the mediators and village legal helpers.")}</p>
            </div>
            <nav class="tabs" aria-label=move || lang.get().pick("名册", "Rosters")>
                <a href="/roster" class="tab" class:active=move || !people_tab.get() hidden=move || !sees_grid()
                    aria-current=move || (!people_tab.get()).then_some("page") data-testid="tab-grid">
                    {move || lang.get().pick("网格名册", "Grid roster")}
                </a>
                <a href="/roster?tab=people" class="tab" class:active=move || people_tab.get() hidden=move || !sees_people()
                    aria-current=move || people_tab.get().then_some("page") data-testid="tab-people">
                    {move || lang.get().pick("调解员名册", "Mediator roster")}
                </a>
            </nav>
            {move || if people_tab.get() {
                view! { <PeopleTab /> }.into_any()
            } else {
                view! { <GridTab /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn GridTab() -> impl IntoView {
    let lang = use_lang();
    let days = RwSignal::new(shared::grid::UNVISITED_DAYS);
    let month = RwSignal::new(time::today().format("%Y-%m").to_string());
    let roster = RwSignal::new(None::<Result<GridRoster, api::Error>>);
    let seq = StoredValue::new(0u64);
    let load = move || {
        let (d, m) = (days.get_untracked(), month.get_untracked());
        let n = seq.get_value() + 1;
        seq.set_value(n);
        spawn_local(async move {
            let answer = api::grid_roster(d, &m).await;
            if seq.try_get_value() == Some(n) {
                roster.try_set(Some(answer));
            }
        });
    };
    Effect::new(move |_| {
        days.track();
        month.track();
        load();
    });
    let only_gaps = RwSignal::new(false);
    let only_unvisited = RwSignal::new(false);
    view! {
        <div class="roster-controls" role="group" aria-label=move || lang.get().pick("查看范围", "What to show")>
            <div class="field field-inline">
                <label for="roster-days">{move || lang.get().pick("未走访天数", "Not visited in (days)")}</label>
                <input id="roster-days" type="number" min="1" max="366" data-testid="roster-days"
                    prop:value=move || days.get().to_string()
                    on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse::<u32>() && (1..=366).contains(&d) {
                            days.set(d);
                        }
                    } />
            </div>
            <div class="field field-inline">
                <label for="roster-month">{move || lang.get().pick("统计月份", "Month")}</label>
                <input id="roster-month" type="month" data-testid="roster-month"
                    prop:value=move || month.get()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if v.len() == 7 { month.set(v); }
                    } />
            </div>
            <label class="check-inline">
                <input type="checkbox" data-testid="only-gaps" prop:checked=move || only_gaps.get()
                    on:change=move |ev| only_gaps.set(event_target_checked(&ev)) />
                {move || lang.get().pick("只看空缺", "Gaps only")}
            </label>
            <label class="check-inline">
                <input type="checkbox" data-testid="only-unvisited" prop:checked=move || only_unvisited.get()
                    on:change=move |ev| only_unvisited.set(event_target_checked(&ev)) />
                {move || lang.get().pick("只看未走访", "Not visited only")}
            </label>
        </div>
        {move || match roster.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
            // After a change the roster is read again for the window and month shown (a read
            // still in flight is dropped by its number).
            Some(Ok(r)) => view! { <GridTable r on_change=Callback::new(move |_: GridRoster| load()) only_gaps only_unvisited /> }.into_any(),
        }}
    }
}

#[component]
fn GridTable(
    r: GridRoster,
    on_change: Callback<GridRoster>,
    only_gaps: RwSignal<bool>,
    only_unvisited: RwSignal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let (gaps, unvisited, households, days) = (r.gaps, r.unvisited, r.households, r.days);
    let units = r.units.len();
    let may_edit = r.may_edit;
    let people = StoredValue::new(r.people.clone());
    let today = r.today;
    let workers = r.workers.clone();
    let month = r.month.clone();
    view! {
        <p class="roster-totals" data-testid="roster-totals">{move || match lang.get() {
            Lang::Zh => format!("{units} 个网格单元 · 空缺 {gaps} 个 · {days} 天未走访 {unvisited} 个 · 登记户数 {households} 户"),
            Lang::En => format!("{units} units · {gaps} gaps · {unvisited} not visited in {days} days · {households} households recorded"),
        }}</p>
        <div class="table-wrap">
            <table class="roster-table" data-testid="grid-roster">
                <thead><tr>
                    <th scope="col">{move || lang.get().pick("网格单元", "Unit")}</th>
                    <th scope="col">{move || lang.get().pick("负责人", "Covered by")}</th>
                    <th scope="col">{move || lang.get().pick("户数", "Households")}</th>
                    <th scope="col">{move || lang.get().pick("在办案件", "Open cases")}</th>
                    <th scope="col">{move || lang.get().pick("走访", "Visits")}</th>
                </tr></thead>
                <tbody>
                    {r.units.into_iter().map(|u| {
                        let (gap, quiet) = (u.cover.is_none(), u.unvisited);
                        view! {
                            <Show when=move || (!only_gaps.get() || gap) && (!only_unvisited.get() || quiet)>
                                <UnitRow u=u.clone() may_edit people today days on_change />
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 class="section-title">{move || match lang.get() {
            Lang::Zh => format!("{month} 走访统计"),
            Lang::En => format!("Visits in {month}"),
        }}</h2>
        <div class="table-wrap">
            <table class="roster-table" data-testid="worker-months">
                <thead><tr>
                    <th scope="col">{move || lang.get().pick("姓名", "Name")}</th>
                    <th scope="col">{move || lang.get().pick("负责单元", "Covers")}</th>
                    <th scope="col">{move || lang.get().pick("走访", "Visits")}</th>
                    <th scope="col">{move || lang.get().pick("就地化解", "Settled")}</th>
                    <th scope="col">{move || lang.get().pick("上报", "Reported")}</th>
                </tr></thead>
                <tbody>
                    {workers.into_iter().map(|w| {
                        let role = w.role;
                        view! {
                            <tr data-testid="worker-month" data-visits=w.visits.to_string()>
                                <td>{w.name.clone()}<br /><span class="muted">{move || role.label(lang.get())}</span></td>
                                <td>{w.units.join("、")}</td>
                                <td class="num" class:quiet=w.visits == 0>{w.visits}</td>
                                <td class="num">{w.resolved}</td>
                                <td class="num">{w.reported}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UnitRow(
    u: GridUnit,
    may_edit: bool,
    people: StoredValue<Vec<shared::grid::GridPerson>>,
    today: chrono::NaiveDate,
    days: u32,
    on_change: Callback<GridRoster>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let editing = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let chosen = RwSignal::new(String::new());
    let from = RwSignal::new(today);
    let households = RwSignal::new(u.households.map(|n| n.to_string()).unwrap_or_default());
    let list_open = RwSignal::new(false);
    let unit_id = u.id;
    let duty = u.duty;
    let role = match duty {
        GridDuty::Village => Role::TownLeader,
        _ => Role::GridWorker,
    };
    let indent = match u.level {
        OrgLevel::Village => "lvl-village",
        OrgLevel::Area => "lvl-area",
        _ => "lvl-group",
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user_id = chosen.get_untracked().parse::<i64>().ok();
        let request = Assign {
            unit_id,
            user_id,
            from: from.get_untracked(),
        };
        spawn_local(async move {
            match api::assign_grid(&request).await {
                Ok(r) => {
                    errors.set(Vec::new());
                    editing.set(false);
                    notices.success(
                        lang.get_untracked()
                            .pick("网格名册已调整。", "The roster is changed."),
                    );
                    on_change.run(r);
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    if f.is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let save_households = move |_| {
        let text = households.get_untracked();
        let value = text.trim();
        let request = SetHouseholds {
            households: if value.is_empty() {
                None
            } else {
                value.parse().ok().or(Some(u32::MAX))
            },
        };
        spawn_local(async move {
            match api::set_households(unit_id, &request).await {
                Ok(r) => {
                    notices.success(
                        lang.get_untracked()
                            .pick("户数已保存。", "Households saved."),
                    );
                    on_change.run(r);
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    notices.error(
                        f.first()
                            .map_or_else(|| e.message(lang.get_untracked()), |f| f.message.clone()),
                        None,
                    );
                }
            }
        });
    };
    let cover = u.cover.clone();
    let history = u.history.clone();
    let last_visit = u.last_visit;
    let visits = u.visits;
    let name = u.name.clone();
    view! {
        <tr data-testid="roster-unit" data-unit=unit_id.to_string() data-gap=cover.is_none().to_string()
            data-unvisited=u.unvisited.to_string() class=indent>
            <th scope="row" class="unit-name">
                {name}
                <span class="muted unit-duty">{move || duty.label(lang.get())}</span>
            </th>
            <td>
                {match cover.clone() {
                    Some(c) => view! {
                        <span data-testid="cover">{c.name.clone()}</span>
                        <span class="muted">{move || format!(" {}{}", lang.get().pick("自 ", "since "), time::date(c.since))}</span>
                    }.into_any(),
                    None => view! { <span class="chip chip-danger" data-testid="gap">{move || lang.get().pick("空缺", "Gap")}</span> }.into_any(),
                }}
                {(!history.is_empty()).then(|| {
                    let history = history.clone();
                    view! {
                        <details class="unit-history" data-testid="unit-history">
                            <summary>{move || lang.get().pick("历任", "Before")}</summary>
                            <ul>
                                {history.into_iter().map(|h| view! {
                                    <li>{h.name.clone()}" "<span class="muted">{time::date(h.from)}" – "{time::date(h.until)}</span></li>
                                }).collect_view()}
                            </ul>
                        </details>
                    }
                })}
                {may_edit.then(|| view! {
                    <button type="button" class="btn btn-secondary btn-small" data-testid="assign-open"
                        aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|e| *e = !*e)>
                        {move || lang.get().pick("调整", "Change")}
                    </button>
                    <Show when=move || editing.get()>
                        <form class="assign-form" on:submit=save novalidate data-testid="assign-form">
                            <label for=format!("assign-user-{unit_id}")>{move || lang.get().pick("接任人员", "Taken over by")}</label>
                            <select id=format!("assign-user-{unit_id}") data-testid="assign-user"
                                on:change=move |ev| chosen.set(event_target_value(&ev))>
                                <option value="">{move || lang.get().pick("(空缺:暂无人负责)", "(nobody: leave a gap)")}</option>
                                {people.get_value().into_iter().filter(|p| p.role == role).map(|p| view! {
                                    <option value=p.user_id.to_string()>{p.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <FieldMessage name="user_id" errors=errs />
                            <label for=format!("assign-from-{unit_id}")>{move || lang.get().pick("自何日起", "From")}</label>
                            <input type="date" id=format!("assign-from-{unit_id}") data-testid="assign-from"
                                prop:value=move || time::date(from.get())
                                on:change=move |ev| {
                                    if let Ok(d) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") { from.set(d); }
                                } />
                            <FieldMessage name="from" errors=errs />
                            <button type="submit" class="btn btn-primary btn-small" data-testid="assign-save">{move || lang.get().pick("保存", "Save")}</button>
                        </form>
                    </Show>
                })}
            </td>
            <td class="num">
                {if may_edit {
                    view! {
                        <span class="households-edit">
                            <input type="number" min="0" class="input-small" data-testid="households"
                                aria-label=move || lang.get().pick("户数", "Households")
                                prop:value=move || households.get()
                                on:input=move |ev| households.set(event_target_value(&ev)) />
                            <button type="button" class="btn btn-secondary btn-small" data-testid="households-save" on:click=save_households>
                                {move || lang.get().pick("保存", "Save")}
                            </button>
                        </span>
                    }.into_any()
                } else {
                    view! { <span>{u.households.map_or_else(|| "—".to_owned(), |n| n.to_string())}</span> }.into_any()
                }}
                <details class="unit-households" data-testid="unit-households"
                    on:toggle=move |ev| {
                        use wasm_bindgen::JsCast;
                        let open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
                        list_open.set(open);
                    }>
                    <summary>{move || lang.get().pick("户籍名单", "Household list")}</summary>
                    <Show when=move || list_open.get()>
                        <HouseholdList unit=unit_id />
                    </Show>
                </details>
            </td>
            <td class="num">{u.open_cases}</td>
            <td>
                {match last_visit {
                    Some(d) => view! { <span>{time::date(d)}</span><span class="muted">{move || match lang.get() {
                        Lang::Zh => format!(" · {days} 天内 {visits} 次"),
                        Lang::En => format!(" · {visits} in {days} days"),
                    }}</span> }.into_any(),
                    None => view! { <span class="chip chip-urged" data-testid="never-visited">{move || lang.get().pick("从未走访", "Never visited")}</span> }.into_any(),
                }}
                {(u.unvisited && last_visit.is_some()).then(|| view! { " " <span class="chip chip-urged" data-testid="unvisited">{move || match lang.get() {
                    Lang::Zh => format!("{days} 天未走访"),
                    Lang::En => format!("not visited in {days} days"),
                }}</span> })}
            </td>
        </tr>
    }
}

#[component]
fn PeopleTab() -> impl IntoView {
    let roster = LocalResource::new(api::roster_people);
    let villages = LocalResource::new(api::org);
    view! {
        {move || match (roster.get(), villages.get()) {
            (None, _) | (_, None) => view! { <Loading /> }.into_any(),
            (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorBox error=e retry=Callback::new(move |_| { roster.refetch(); villages.refetch(); }) /> }.into_any(),
            (Some(Ok(r)), Some(Ok(org))) => {
                let villages: Vec<OrgUnit> = org.into_iter().filter(|u| u.level == OrgLevel::Village).collect();
                view! { <People r villages reload=Callback::new(move |()| roster.refetch()) /> }.into_any()
            }
        }}
    }
}

#[component]
fn People(r: PeopleRoster, villages: Vec<OrgUnit>, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let villages = StoredValue::new(villages);
    let adding = RwSignal::new(false);
    let may_edit = r.may_edit;
    let mediators = r
        .people
        .iter()
        .filter(|p| p.kind == RosterKind::Mediator)
        .count();
    let helpers = r.people.len() - mediators;
    view! {
        <p class="roster-totals" data-testid="people-totals">{move || match lang.get() {
            Lang::Zh => format!("人民调解员 {mediators} 名 · 法律明白人 {helpers} 名"),
            Lang::En => format!("{mediators} mediators · {helpers} village legal helpers"),
        }}
            {may_edit.then(|| view! {
                " " <button type="button" class="btn btn-primary btn-small" data-testid="person-add"
                    on:click=move |_| adding.update(|a| *a = !*a)>{move || lang.get().pick("新增人员", "Add a person")}</button>
            })}
        </p>
        <Show when=move || adding.get()>
            <PersonEditor person=None villages on_saved=Callback::new(move |_| { adding.set(false); reload.run(()); }) />
        </Show>
        <div class="people-grid">
            {r.people.into_iter().map(|p| view! { <PersonCard p may_edit villages reload /> }).collect_view()}
        </div>
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{r:.0}%"))
}

#[component]
fn PersonCard(
    p: RosterPerson,
    may_edit: bool,
    villages: StoredValue<Vec<OrgUnit>>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let editing = RwSignal::new(false);
    let training = RwSignal::new(false);
    let kind = p.kind;
    let qualities = p.qualities.clone();
    let specialties = p.specialties.clone();
    let (follow, rating) = (p.follow_up_rate(), p.rating_rate());
    let (followed, rated) = (p.followed_up, p.rated);
    let (open, sessions) = (p.open_cases, p.sessions_this_week);
    let appointed = p.appointed_on;
    let hours = p.training_hours;
    let trainings_count = p.trainings.len();
    let id = p.id;
    let person = p.clone();
    view! {
        <article class="person-card" class:inactive=!p.active data-testid="person" data-kind=kind.as_str() data-name=p.name.clone()>
            <header class="person-head">
                <h3>{p.name.clone()}</h3>
                <span class="chip">{move || kind.label(lang.get())}</span>
                {(!p.active).then(|| view! { <span class="chip chip-danger">{move || lang.get().pick("已停用", "Inactive")}</span> })}
            </header>
            <p class="muted">{p.serves.clone()}
                {move || appointed.map(|d| format!(" · {}{}", lang.get().pick("聘任于 ", "appointed "), time::date(d)))}
                {p.phone.clone().map(|ph| view! { " · " <span class="mono">{ph}</span> })}</p>
            <ul class="qualities" aria-label=move || lang.get().pick("选任标准", "Selection standards")>
                {Quality::ALL.iter().map(|q| {
                    let q = *q;
                    let has = qualities.contains(&q);
                    view! { <li class="quality" class:has=has data-has=has.to_string()>{if has { "✓ " } else { "" }}{move || q.label(lang.get())}</li> }
                }).collect_view()}
            </ul>
            <p class="specialties">{move || {
                let l = lang.get();
                let list: Vec<&str> = specialties.iter().map(|c| c.label(l)).collect();
                if list.is_empty() { l.pick("未登记专长", "No specialty recorded").to_owned() } else { format!("{}{}", l.pick("专长:", "Specialties: "), list.join("、")) }
            }}</p>
            <dl class="person-figures">
                <div><dt>{move || lang.get().pick("在办案件", "Open cases")}</dt><dd data-testid="person-open">{open}</dd></div>
                <div><dt>{move || lang.get().pick("本周调解", "Sessions this week")}</dt><dd>{sessions}</dd></div>
                <div><dt>{move || lang.get().pick("回访满意率", "Satisfied at follow-up")}</dt><dd>{percent(follow)}<span class="muted">{format!(" ({followed})")}</span></dd></div>
                <div><dt>{move || lang.get().pick("群众评价满意率", "Residents' rating")}</dt><dd>{percent(rating)}<span class="muted">{format!(" ({rated})")}</span></dd></div>
            </dl>
            <details class="trainings" data-testid="trainings">
                <summary>{move || match lang.get() {
                    Lang::Zh => format!("培训 {trainings_count} 次,共 {hours} 学时"),
                    Lang::En => format!("{trainings_count} trainings, {hours} hours"),
                }}</summary>
                <ul>
                    {p.trainings.iter().map(|t| view! { <li>{time::date(t.held_on)}" "{t.title.clone()}<span class="muted">{format!(" · {}h", t.hours)}</span></li> }).collect_view()}
                </ul>
            </details>
            {may_edit.then(|| view! {
                <div class="person-actions">
                    <button type="button" class="btn btn-secondary btn-small" data-testid="person-edit"
                        aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|e| *e = !*e)>{move || lang.get().pick("编辑", "Edit")}</button>
                    <button type="button" class="btn btn-secondary btn-small" data-testid="training-add"
                        aria-expanded=move || training.get().to_string()
                        on:click=move |_| training.update(|e| *e = !*e)>{move || lang.get().pick("登记培训", "Record a training")}</button>
                </div>
                <Show when=move || editing.get()>
                    <PersonEditor person=Some(person.clone()) villages on_saved=Callback::new(move |_| { editing.set(false); reload.run(()); }) />
                </Show>
                <Show when=move || training.get()>
                    <TrainingForm id on_saved=Callback::new(move |_| { training.set(false); reload.run(()); }) />
                </Show>
            })}
        </article>
    }
}

#[component]
fn PersonEditor(
    person: Option<RosterPerson>,
    villages: StoredValue<Vec<OrgUnit>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let id = person.as_ref().map(|p| p.id);
    let linked = person.as_ref().is_some_and(|p| p.user_id.is_some());
    let form = RwSignal::new(match &person {
        Some(p) => PersonForm {
            kind: p.kind,
            name: p.name.clone(),
            phone: p.phone.clone(),
            serves_unit_id: p.serves_unit_id,
            appointed_on: p.appointed_on,
            qualities: p.qualities.clone(),
            specialties: p.specialties.clone(),
            note: p.note.clone(),
            active: p.active,
        },
        None => PersonForm {
            kind: RosterKind::LegalHelper,
            name: String::new(),
            phone: None,
            serves_unit_id: None,
            appointed_on: Some(time::today()),
            qualities: Vec::new(),
            specialties: Vec::new(),
            note: String::new(),
            active: true,
        },
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let scope = if id.is_some() {
        "person-edit"
    } else {
        "person-new"
    };
    let fid = move |f: &str| format!("{scope}-{}-{f}", id.unwrap_or(0));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = form.get_untracked();
        if let Err(f) = request.check(time::today(), lang.get_untracked()) {
            errors.set(f);
            return;
        }
        spawn_local(async move {
            let answer = match id {
                Some(id) => api::change_roster_person(id, &request).await,
                None => api::add_roster_person(&request).await,
            };
            match answer {
                Ok(p) => {
                    notices.success(match lang.get_untracked() {
                        Lang::Zh => format!("{} 的名册信息已保存。", p.name),
                        Lang::En => format!("{} is saved on the roster.", p.name),
                    });
                    on_saved.run(());
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    if f.is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let toggle_quality = move |q: Quality| {
        form.update(|f| {
            if let Some(i) = f.qualities.iter().position(|x| *x == q) {
                f.qualities.remove(i);
            } else {
                f.qualities.push(q);
            }
        })
    };
    let toggle_category = move |c: Category| {
        form.update(|f| {
            if let Some(i) = f.specialties.iter().position(|x| *x == c) {
                f.specialties.remove(i);
            } else {
                f.specialties.push(c);
            }
        })
    };
    view! {
        <form class="person-form" on:submit=submit novalidate data-testid="person-form">
            {(id.is_none()).then(|| view! {
                <div class="field">
                    <label for=fid("kind")>{move || lang.get().pick("身份", "Kind")}</label>
                    <select id=fid("kind") data-testid="person-kind" on:change=move |ev| {
                        if let Some(k) = RosterKind::parse(&event_target_value(&ev)) { form.update(|f| f.kind = k); }
                    }>
                        {RosterKind::ALL.iter().map(|k| { let k = *k; view! {
                            <option value=k.as_str() selected=move || form.with(|f| f.kind == k)>{move || k.label(lang.get())}</option>
                        }}).collect_view()}
                    </select>
                </div>
            })}
            <div class="field">
                <label for=fid("name")>{move || lang.get().pick("姓名", "Name")}</label>
                <input id=fid("name") data-testid="person-name" disabled=linked
                    prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.name = v); } />
                <FieldMessage name="name" errors=errs scope />
            </div>
            <div class="field">
                <label for=fid("phone")>{move || lang.get().pick("电话", "Phone")}</label>
                <input id=fid("phone") type="tel" data-testid="person-phone"
                    prop:value=move || form.with(|f| f.phone.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.phone = Some(v).filter(|s| !s.trim().is_empty())); } />
                <FieldMessage name="phone" errors=errs scope />
            </div>
            <div class="field">
                <label for=fid("serves")>{move || lang.get().pick("所在调委会", "Committee served")}</label>
                <select id=fid("serves") data-testid="person-serves" on:change=move |ev| {
                    let v = event_target_value(&ev).parse::<i64>().ok();
                    form.update(|f| f.serves_unit_id = v);
                }>
                    <option value="" selected=move || form.with(|f| f.serves_unit_id.is_none())>{move || lang.get().pick("镇调委会", "The town's committee")}</option>
                    {villages.get_value().into_iter().map(|v| view! {
                        <option value=v.id.to_string() selected=move || form.with(|f| f.serves_unit_id == Some(v.id))>{v.name.clone()}</option>
                    }).collect_view()}
                </select>
                <FieldMessage name="serves_unit_id" errors=errs scope />
            </div>
            <div class="field">
                <label for=fid("appointed")>{move || lang.get().pick("聘任日期", "Appointed on")}</label>
                <input id=fid("appointed") type="date" data-testid="person-appointed"
                    prop:value=move || form.with(|f| f.appointed_on.map(time::date).unwrap_or_default())
                    on:change=move |ev| {
                        let d = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok();
                        form.update(|f| f.appointed_on = d);
                    } />
                <FieldMessage name="appointed_on" errors=errs scope />
            </div>
            <fieldset class="field">
                <legend>{move || lang.get().pick("选任标准", "Selection standards")}</legend>
                <div class="chip-choices">
                    {Quality::ALL.iter().map(|q| { let q = *q; view! {
                        <label class="chip-choice" class:chosen=move || form.with(|f| f.qualities.contains(&q))>
                            <input type="checkbox" data-testid=format!("quality-{}", q.as_str())
                                prop:checked=move || form.with(|f| f.qualities.contains(&q))
                                on:change=move |_| toggle_quality(q) />
                            {move || q.label(lang.get())}
                        </label>
                    }}).collect_view()}
                </div>
            </fieldset>
            <fieldset class="field">
                <legend>{move || lang.get().pick("专长", "Specialties")}</legend>
                <div class="chip-choices">
                    {Category::ALL.iter().map(|c| { let c = *c; view! {
                        <label class="chip-choice" class:chosen=move || form.with(|f| f.specialties.contains(&c))>
                            <input type="checkbox" data-testid=format!("specialty-{}", c.as_str())
                                prop:checked=move || form.with(|f| f.specialties.contains(&c))
                                on:change=move |_| toggle_category(c) />
                            {move || c.label(lang.get())}
                        </label>
                    }}).collect_view()}
                </div>
            </fieldset>
            <label class="check-inline">
                <input type="checkbox" data-testid="person-active" prop:checked=move || form.with(|f| f.active)
                    on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| f.active = v); } />
                {move || lang.get().pick("在任", "Active")}
            </label>
            <FieldMessage name="kind" errors=errs scope />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary btn-small" data-testid="person-save">{move || lang.get().pick("保存", "Save")}</button>
            </div>
        </form>
    }
}

#[component]
fn TrainingForm(id: i64, on_saved: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let held_on = RwSignal::new(time::today());
    let title = RwSignal::new(String::new());
    let hours = RwSignal::new("4".to_owned());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewTraining {
            held_on: held_on.get_untracked(),
            title: title.get_untracked().trim().to_owned(),
            hours: hours.get_untracked().trim().parse().unwrap_or(0),
        };
        if let Err(f) = request.check(time::today(), lang.get_untracked()) {
            errors.set(f);
            return;
        }
        spawn_local(async move {
            match api::add_training(id, &request).await {
                Ok(_) => {
                    notices.success(
                        lang.get_untracked()
                            .pick("培训已登记。", "Training recorded."),
                    );
                    on_saved.run(());
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    if f.is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    view! {
        <form class="training-form" on:submit=submit novalidate data-testid="training-form">
            <div class="field">
                <label for=format!("training-date-{id}")>{move || lang.get().pick("日期", "Date")}</label>
                <input id=format!("training-date-{id}") type="date" prop:value=move || time::date(held_on.get())
                    on:change=move |ev| { if let Ok(d) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") { held_on.set(d); } } />
                <FieldMessage name="held_on" errors=errs scope="training" />
            </div>
            <div class="field">
                <label for=format!("training-title-{id}")>{move || lang.get().pick("培训内容", "Training")}</label>
                <input id=format!("training-title-{id}") data-testid="training-title" prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev)) />
                <FieldMessage name="title" errors=errs scope="training" />
            </div>
            <div class="field">
                <label for=format!("training-hours-{id}")>{move || lang.get().pick("学时", "Hours")}</label>
                <input id=format!("training-hours-{id}") type="number" min="1" max="200" data-testid="training-hours" prop:value=move || hours.get()
                    on:input=move |ev| hours.set(event_target_value(&ev)) />
                <FieldMessage name="hours" errors=errs scope="training" />
            </div>
            <button type="submit" class="btn btn-primary btn-small" data-testid="training-save">{move || lang.get().pick("保存", "Save")}</button>
        </form>
    }
}

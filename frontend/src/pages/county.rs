//! The county dashboard (`/county`), a county officer's: every town's line — open, overdue,
//! due within three days, waiting to be archived, waiting for the county's instruction — and
//! what each registered and closed in a period, with its resolution and on-time rates; the
//! county's total below. A town's name opens the county board filtered to it; its waiting
//! escalations open the board filtered to those, and (for a county officer) its figures open
//! that town's dashboard. A county department's page counts only the categories of its line,
//! named at the top.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::county::{CountySummary, TownFigures};
use shared::model::Role;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

/// `/county`.
#[component]
pub fn CountyPage() -> impl IntoView {
    let lang = use_lang();
    let from = RwSignal::new(None::<NaiveDate>);
    let data = RwSignal::new(None::<Result<CountySummary, api::Error>>);
    let load = move || {
        let chosen = from.get_untracked();
        spawn_local(async move {
            data.try_set(Some(api::county_summary(chosen).await));
        });
    };
    load();
    let session = use_session();
    let user = move || session.user.get();
    let officer = move || user().is_some_and(|u| u.role == Role::CountyOfficer);
    let line = move || {
        user()
            .filter(|u| u.role == Role::CountyDepartment)
            .map(|u| {
                u.line
                    .iter()
                    .map(|c| c.label(lang.get()))
                    .collect::<Vec<_>>()
                    .join("、")
            })
    };
    view! {
        <section class="page page-county" data-testid="county-page">
            <div class="page-head">
                <h1 class="page-title">{tr(T::CountyTitle)}</h1>
                <p class="muted">{tr(T::CountyPeriodHint)}</p>
                {move || line().map(|l| view! {
                    <p class="hint" data-testid="county-line">{move || lang.get().pick(
                        "本部门分管:", "Your line: ")}<strong>{l}</strong>{move || lang.get().pick(
                        "。表中只计这些类别的事项。", ". The table counts only matters of these categories.")}</p>
                })}
            </div>
            <form class="accounts-tools" on:submit=move |ev| { ev.prevent_default(); load(); }>
                <div class="field field-inline">
                    <label for="county-from">{tr(T::DashFrom)}</label>
                    <input id="county-from" type="date" data-testid="county-from"
                        prop:value=move || data.with(|d| match d {
                            Some(Ok(s)) => s.from.format("%Y-%m-%d").to_string(),
                            _ => String::new(),
                        })
                        on:change=move |ev| {
                            from.set(NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok());
                            load();
                        } />
                </div>
            </form>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorBox error=e title=T::CountyLoadFailed retry=Callback::new(move |_| load()) />
                }.into_any(),
                Some(Ok(s)) => {
                    let period = move || format!(
                        "{} {} {} {}",
                        T::DashFrom.get(lang.get()), time::date(s.from), T::DashTo.get(lang.get()), time::date(s.today)
                    );
                    view! {
                        <p class="hint" data-testid="county-period">{period}</p>
                        <div class="table-wrap">
                            <table class="roster-table county-table" data-testid="county-table">
                                <thead><tr>
                                    <th scope="col">{tr(T::CountyTown)}</th>
                                    <th scope="col" class="num">{tr(T::CountyOpen)}</th>
                                    <th scope="col" class="num">{tr(T::CountyOverdue)}</th>
                                    <th scope="col" class="num">{tr(T::CountyDueSoon)}</th>
                                    <th scope="col" class="num">{tr(T::CountyAwaitingArchive)}</th>
                                    <th scope="col" class="num">{tr(T::CountyPending)}</th>
                                    <th scope="col" class="num">{tr(T::CountyRegistered)}</th>
                                    <th scope="col" class="num">{tr(T::CountyClosed)}</th>
                                    <th scope="col" class="num">{tr(T::CountyResolvedPct)}</th>
                                    <th scope="col" class="num">{tr(T::CountyOnTimePct)}</th>
                                </tr></thead>
                                <tbody>
                                    {s.towns.into_iter().map(|t| view! { <TownRow t total=false figures=officer() /> }).collect_view()}
                                </tbody>
                                <tfoot>
                                    <TownRow t=s.total total=true figures=false />
                                </tfoot>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn TownRow(t: TownFigures, total: bool, figures: bool) -> impl IntoView {
    let lang = use_lang();
    let pct = |p: Option<u32>| p.map_or_else(|| "—".to_owned(), |p| format!("{p}%"));
    let board = format!("/board?town={}", t.town_id);
    let waiting = format!("/board?town={}&county=true", t.town_id);
    let dashboard = format!("/dashboard?town={}", t.town_id);
    let name = t.town.clone();
    let overdue = t.overdue > 0;
    view! {
        <tr data-testid=if total { "county-total" } else { "county-town" } data-town=t.town_id.to_string()
            class:total=total>
            <th scope="row">
                {if total {
                    name.into_any()
                } else {
                    view! {
                        <a href=board title=move || T::CountyOpenBoard.get(lang.get())>{name}</a>
                        {figures.then(|| view! {
                            " · "
                            <a href=dashboard class="county-figures" data-testid="county-figures">{move || lang.get().pick("统计", "Figures")}</a>
                        })}
                    }.into_any()
                }}
            </th>
            <td class="num">{t.open}</td>
            <td class="num" class:warn=overdue>{t.overdue}</td>
            <td class="num">{t.due_soon}</td>
            <td class="num">{t.closed_awaiting_archive}</td>
            <td class="num">
                {if t.county_pending > 0 && !total {
                    view! { <a href=waiting data-testid="county-waiting">{t.county_pending}</a> }.into_any()
                } else {
                    t.county_pending.into_any()
                }}
            </td>
            <td class="num">{t.registered}</td>
            <td class="num">{t.closed}</td>
            <td class="num">{pct(t.resolved_pct())}</td>
            <td class="num">{pct(t.on_time_pct())}</td>
        </tr>
    }
}

//! The dashboard (`/dashboard`, 统计分析): the town's figures for a period and place, from
//! `GET /api/dashboard`. Every number is a link to the case list filtered to exactly the cases
//! it counts (`Dashboard::link`). Charts are drawn here as SVG — bars in the tables by
//! category, village and the rest, a line for the monthly trend — in shapes and line styles
//! that survive black-and-white printing, and every chart's numbers are also a table. The
//! period and village live in the URL; "print" gives an A4 report.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::CaseFilter;
use shared::figures::{
    Breakdown, Dashboard, DashboardQuery, Dimension, Figure, MonthFigures, PeriodPreset,
};
use shared::model::{CaseKind, OrgLevel, OrgUnit, Role, Satisfaction};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::filter;
use crate::logic::time;
use crate::session::use_session;

/// A rate as shown: `95.3%`, or a dash when there is nothing to divide.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{r:.1}%"))
}

/// The case list's address for a filter.
/// The town a county officer's dashboard shows (provided by the page; `None` for a town's own
/// readers), so that its links list that town's cases.
#[derive(Debug, Clone, Copy)]
struct DashTown(Memo<Option<i64>>);

fn list_url(f: &CaseFilter) -> String {
    let town = use_context::<DashTown>().and_then(|t| t.0.get_untracked());
    if town.is_some() {
        filter::url("/cases", &CaseFilter { town, ..f.clone() })
    } else {
        filter::url("/cases", f)
    }
}

fn parse_day(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The dashboard's address for what is asked.
fn dashboard_url(q: &DashboardQuery) -> String {
    let query = q.query_string();
    if query.is_empty() {
        "/dashboard".to_owned()
    } else {
        format!("/dashboard?{query}")
    }
}

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let navigate = use_navigate();
    let asked = Memo::new(move |_| {
        query.with(|q| DashboardQuery {
            from: parse_day(q.get("from")),
            to: parse_day(q.get("to")),
            village: q.get("village").and_then(|v| v.parse().ok()),
            rise: q.get("rise").and_then(|v| v.parse().ok()),
            town: q.get("town").and_then(|v| v.parse().ok()),
        })
    });
    // A county officer reads one town's figures at a time, chosen at the top.
    let session = use_session();
    let county = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::CountyOfficer))
    });
    let towns = LocalResource::new(move || async move {
        if county.get() {
            api::towns().await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    provide_context(DashTown(Memo::new(move |_| asked.with(|q| q.town))));
    let set_asked = Callback::new(move |q: DashboardQuery| {
        navigate(
            &dashboard_url(&q),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    // A period typed backwards is explained at the field and not asked of the server.
    let reversed = move || asked.with(|q| matches!((q.from, q.to), (Some(a), Some(b)) if b < a));
    let data = LocalResource::new(move || {
        let q = asked.get();
        let backwards = matches!((q.from, q.to), (Some(a), Some(b)) if b < a);
        // A county officer's page asks nothing until a town is chosen.
        let unchosen = county.get() && q.town.is_none();
        async move {
            if backwards || unchosen {
                None
            } else {
                Some(api::dashboard(&q).await)
            }
        }
    });
    let org = LocalResource::new(api::org);
    let villages = Signal::derive(move || {
        org.get()
            .and_then(Result::ok)
            .map(|units: Vec<OrgUnit>| {
                let town = asked.with(|q| q.town);
                units
                    .into_iter()
                    .filter(|u| {
                        u.level == OrgLevel::Village && town.is_none_or(|t| u.parent_id == Some(t))
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };

    view! {
        <div class="page page-wide dashboard-page" data-testid="dashboard-page">
            <div class="page-head dash-head">
                <div>
                    <h1 class="page-title">
                        {tr(T::DashTitle)}
                        {move || {
                            let town = asked.with(|q| q.town)?;
                            towns.get()?.into_iter().find(|t| t.id == town).map(|t| format!(" · {}", t.name))
                        }}
                    </h1>
                    <p class="muted dash-period" data-testid="dash-period">
                        {move || data.get().flatten().and_then(Result::ok).map(|d| {
                            i18n::dash_period(&day_text(d.from), &day_text(d.to), lang.get())
                        })}
                    </p>
                </div>
                <button type="button" class="btn btn-ghost no-print" data-testid="dash-print" on:click=print>
                    {tr(T::DashPrint)}
                </button>
            </div>
            <Show when=move || county.get()>
                <div class="filter-bar dash-town-bar no-print">
                    <label class="filter" for="dash-town">
                        <span class="filter-label">{move || lang.get().pick("乡镇", "Town")}</span>
                        <select id="dash-town" name="town" data-testid="dash-town"
                            on:change=move |ev| {
                                let mut q = asked.get_untracked();
                                q.town = event_target_value(&ev).parse().ok();
                                q.village = None;
                                set_asked.run(q);
                            }>
                            <option value="" selected=move || asked.with(|q| q.town.is_none())>
                                {move || lang.get().pick("(请选择乡镇)", "(choose a town)")}
                            </option>
                            {move || towns.get().unwrap_or_default().into_iter().map(|t| {
                                let id = t.id;
                                view! {
                                    <option value=id.to_string() selected=move || asked.with(|q| q.town == Some(id))>{t.name}</option>
                                }
                            }).collect_view()}
                        </select>
                    </label>
                    <a href="/county" class="btn btn-ghost btn-small">{move || lang.get().pick("返回县级汇总", "Back to the county dashboard")}</a>
                </div>
            </Show>
            <Show when=move || county.get() && asked.with(|q| q.town.is_none())>
                <p class="hint" data-testid="dash-choose-town">{move || lang.get().pick(
                    "请选择一个乡镇,查看它的统计数字。",
                    "Choose a town to read its figures.")}</p>
            </Show>
            <PeriodBar asked set_asked villages reversed />
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => ().into_any(),
                Some(Some(Err(err))) => view! {
                    <ErrorBox error=err title=T::DashLoadFailed retry=Callback::new(move |_| data.refetch()) />
                }.into_any(),
                Some(Some(Ok(d))) => view! { <Figures d /> }.into_any(),
            }}
        </div>
    }
}

/// The period (presets and two days) and the place.
#[component]
fn PeriodBar(
    asked: Memo<DashboardQuery>,
    set_asked: Callback<DashboardQuery>,
    villages: Signal<Vec<OrgUnit>>,
    reversed: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let today = time::today();
    let current = move || {
        asked.with(|q| {
            let (from, to) = match (q.from, q.to) {
                (None, None) => PeriodPreset::Last12.range(today),
                (Some(f), Some(t)) => (f, t),
                (Some(f), None) => (f, today),
                (None, Some(t)) => (PeriodPreset::Last12.range(t).0, t),
            };
            (from, to)
        })
    };
    let pick = move |p: PeriodPreset| {
        let (from, to) = p.range(today);
        let mut q = asked.get_untracked();
        if p == PeriodPreset::Last12 {
            q.from = None;
            q.to = None;
        } else {
            q.from = Some(from);
            q.to = Some(to);
        }
        set_asked.run(q);
    };
    let set_day = move |which: &'static str, v: String| {
        let mut q = asked.get_untracked();
        let (from, to) = current();
        let day = NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
        match which {
            "from" => {
                q.from = day.or(Some(from));
                q.to = Some(to);
            }
            _ => {
                q.from = Some(from);
                q.to = day.or(Some(to));
            }
        }
        set_asked.run(q);
    };
    view! {
        <form class="filter-bar dash-period-bar no-print" aria-label=tr(T::DashPeriodLabel) data-testid="dash-bar" on:submit=|ev| ev.prevent_default()>
            <div class="dash-presets" role="group" aria-label=tr(T::DashPeriodLabel)>
                {PeriodPreset::ALL.into_iter().map(|p| {
                    let pressed = move || {
                        let (from, to) = current();
                        PeriodPreset::of(from, to, today) == Some(p)
                    };
                    view! {
                        <button type="button" class="seg-btn" data-testid=format!("dash-preset-{p:?}").to_lowercase()
                            aria-pressed=move || if pressed() { "true" } else { "false" }
                            on:click=move |_| pick(p)>
                            {move || p.label(lang.get())}
                        </button>
                    }
                }).collect_view()}
            </div>
            <label class="filter" for="dash-from">
                <span class="filter-label">{tr(T::DashFrom)}</span>
                <input type="date" id="dash-from" name="from" data-testid="dash-from"
                    prop:value=move || day_text(current().0)
                    on:change=move |ev| set_day("from", event_target_value(&ev)) />
            </label>
            <label class="filter" for="dash-to">
                <span class="filter-label">{tr(T::DashTo)}</span>
                <input type="date" id="dash-to" name="to" data-testid="dash-to"
                    aria-invalid=move || reversed().then_some("true")
                    aria-describedby=move || reversed().then_some("dash-to-error")
                    prop:value=move || day_text(current().1)
                    on:change=move |ev| set_day("to", event_target_value(&ev)) />
            </label>
            <label class="filter" for="dash-village">
                <span class="filter-label">{tr(T::DashPlace)}</span>
                <select id="dash-village" name="village" data-testid="dash-village"
                    on:change=move |ev| {
                        let mut q = asked.get_untracked();
                        q.village = event_target_value(&ev).parse().ok();
                        set_asked.run(q);
                    }>
                    <option value="" selected=move || asked.with(|q| q.village.is_none())>{tr(T::DashWholeTown)}</option>
                    {move || villages.get().into_iter().map(|v| {
                        let id = v.id;
                        view! {
                            <option value=id.to_string() selected=move || asked.with(|q| q.village == Some(id))>{v.name}</option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <Show when=reversed>
                <p class="field-error" id="dash-to-error" role="alert" data-testid="dash-period-error">
                    {move || shared::api::period_reversed().message(lang.get())}
                </p>
            </Show>
        </form>
    }
}

/// One figure: its number (a link to its cases), what it is, and a line under it.
#[component]
fn Tile(
    id: &'static str,
    label: T,
    value: String,
    href: String,
    #[prop(optional, into)] sub: Option<AnyView>,
) -> impl IntoView {
    view! {
        <div class="tile panel" data-testid=format!("tile-{id}")>
            <a class="tile-link" href=href data-testid=format!("tile-{id}-link")>
                <span class="tile-value">{value}</span>
                <span class="tile-label">{tr(label)}</span>
            </a>
            {sub.map(|s| view! { <p class="tile-sub">{s}</p> })}
        </div>
    }
}

/// Beside a tile's cases, what the logs add up to over the same period (the services given
/// and the visitors received that no case records), linking to the logs of that period.
#[component]
fn LoggedSub(from: chrono::NaiveDate, to: chrono::NaiveDate, services: bool) -> impl IntoView {
    let lang = use_lang();
    let period = shared::logs::LogPeriod {
        from: Some(from),
        to: Some(to),
    };
    let summary = LocalResource::new(move || async move { api::log_summary(&period).await });
    let href = format!("/logs?from={from}&to={to}");
    let id = if services {
        "sub-logged-services"
    } else {
        "sub-logged-visitors"
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let href = href.clone();
                Suspend::new(async move {
                    // Those who may not read the logs (the administrator) see the cases alone.
                    let Ok(s) = summary.await else { return ().into_any() };
                    view! {
                        " · " <a href=href data-testid=id>{move || if services {
                            i18n::dash_logged_services(s.services(), lang.get())
                        } else {
                            i18n::dash_logged_visitors(s.visitors, lang.get())
                        }}</a>
                    }.into_any()
                })
            }}
        </Suspense>
    }
}

/// A small link inside a tile's line.
fn sub_link(href: String, text: String, id: &'static str) -> impl IntoView {
    view! { <a href=href data-testid=format!("sub-{id}")>{text}</a> }
}

/// Everything below the period bar.
#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    let lang = use_lang();
    let t = d.totals;
    let link = |f: Figure| list_url(&d.link(f));
    let disputes_resolved = Dimension::Kind
        .narrow(d.link(Figure::Resolved), CaseKind::Dispute.as_str())
        .map(|f| list_url(&f))
        .unwrap_or_default();
    let disputes_closed = Dimension::Kind
        .narrow(d.link(Figure::Closed), CaseKind::Dispute.as_str())
        .map(|f| list_url(&f))
        .unwrap_or_default();
    let s = d.satisfaction.clone();
    let l = lang.get_untracked();
    // The logs are kept per town, not per village.
    let town = d.village.is_none();
    let n = |v: u64| v.to_string();
    view! {
        <section class="tiles" aria-label=tr(T::DashFigures) data-testid="dash-tiles">
            <Tile id="received" label=T::DashReceived value=n(t.all.received) href=link(Figure::Received)
                sub=view! { {sub_link(link(Figure::Closed), i18n::dash_closed(t.all.closed, l), "closed")} }.into_any() />
            <Tile id="disputes-resolved" label=T::DashDisputesResolved value=n(t.disputes.resolved) href=disputes_resolved
                sub=view! { {tr(T::DashResolutionRate)} " " <strong data-testid="dispute-rate">{percent(t.disputes.resolution_rate())}</strong>
                    " · " {sub_link(disputes_closed, i18n::dash_closed(t.disputes.closed, l), "disputes-closed")} }.into_any() />
            <Tile id="rate" label=T::DashAllRate value=percent(t.all.resolution_rate()) href=link(Figure::Resolved)
                sub=view! { {sub_link(link(Figure::Unresolved), i18n::dash_unresolved(t.all.unresolved, l), "unresolved")}
                    " · " {sub_link(link(Figure::Uncounted), i18n::dash_uncounted(t.all.uncounted, l), "uncounted")} }.into_any() />
            <Tile id="on-time" label=T::DashOnTime value=percent(t.all.on_time_rate()) href=link(Figure::OnTime)
                sub=view! { {sub_link(link(Figure::Late), i18n::dash_late(t.all.late(), l), "late")}
                    " · " {i18n::dash_average_days(t.all.average_days(), l)} }.into_any() />
            <Tile id="satisfaction" label=T::DashSatisfaction value=percent(s.satisfaction_rate) href=link(Figure::Closed)
                sub=view! {
                    {Satisfaction::ALL.iter().enumerate().map(|(i, r)| {
                        let count = [s.satisfied, s.basically_satisfied, s.dissatisfied][i];
                        let sep = (i > 0).then_some(" · ");
                        view! { {sep} <a href=list_url(&d.link(Figure::Rated(*r))) data-testid=format!("sub-rated-{}", r.as_str())>{format!("{} {count}", r.label(l))}</a> }
                    }).collect_view()}
                }.into_any() />
            <Tile id="services" label=T::DashServices value=n(t.services) href=link(Figure::Services)
                sub=view! { {tr(T::DashServicesNote)} {town.then(|| view! { <LoggedSub from=d.from to=d.to services=true /> })} }.into_any() />
            <Tile id="visitors" label=T::DashVisitors value=n(t.visitors) href=link(Figure::Visitors)
                sub=view! { {tr(T::DashVisitorsNote)} {town.then(|| view! { <LoggedSub from=d.from to=d.to services=false /> })} }.into_any() />
            <Tile id="petitions" label=T::DashPetitions value=n(t.petitions) href=link(Figure::Petitions)
                sub=view! { {sub_link(link(Figure::RepeatPetitions), i18n::dash_repeat(t.repeat_petitions, l), "repeat")} }.into_any() />
            <Tile id="spot" label=T::DashOnTheSpot value=n(t.on_the_spot) href=link(Figure::OnTheSpot)
                sub=view! { {sub_link(link(Figure::OnTheSpotGrid), i18n::dash_by_grid(t.on_the_spot_grid, l), "grid")} }.into_any() />
            <Tile id="police" label=T::DashPolice value=n(t.police) href=link(Figure::Police)
                sub=view! { {tr(T::DashPoliceNote)} }.into_any() />
            <Tile id="overdue" label=T::DashOverdue value=n(t.overdue) href=link(Figure::Overdue)
                sub=view! { {i18n::dash_as_of(&day_text(d.today), l)} }.into_any() />
        </section>
        <Trend d=d.clone() />
        <div class="dash-grid">
            {Dimension::ALL.into_iter().filter_map(|by| d.breakdown(by).cloned()).map(|b| {
                view! { <BreakdownTable d=d.clone() b /> }
            }).collect_view()}
        </div>
        <div class="dash-grid">
            <OverdueList d=d.clone() />
            <Rising d=d.clone() />
        </div>
    }
}

/// The monthly trend: a line chart (received solid with circles, resolved dashed with
/// squares) and its table.
#[component]
fn Trend(d: Dashboard) -> impl IntoView {
    let lang = use_lang();
    let months = d.trend.clone();
    let (w, h, left, right, top, bottom) = (720.0_f64, 240.0_f64, 44.0, 12.0, 14.0, 34.0);
    let max = months
        .iter()
        .map(|m| m.received.max(m.closed))
        .max()
        .unwrap_or(0)
        .max(4);
    // A round top for the axis: 4 steps of a round number.
    let step = nice_step(max.div_ceil(4));
    let top_value = step * 4;
    let x = |i: usize| {
        let n = months.len().max(2) - 1;
        left + (w - left - right) * (i as f64) / (n as f64)
    };
    let y = |v: u64| top + (h - top - bottom) * (1.0 - v as f64 / top_value as f64);
    let path = |pick: fn(&MonthFigures) -> u64| {
        months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    x(i),
                    y(pick(m))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let received_path = path(|m| m.received);
    let resolved_path = path(|m| m.resolved);
    let l = lang.get_untracked();
    let grid = (0..=4)
        .map(|k| {
            let v = step * k;
            view! {
                <line x1=left x2={w - right} y1=y(v) y2=y(v) class="chart-grid" />
                <text x={left - 6.0} y={y(v) + 4.0} class="chart-axis" text-anchor="end">{v.to_string()}</text>
            }
        })
        .collect_view();
    let labels = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = i18n::month_label(&m.month, i == 0, l);
            view! { <text x=x(i) y={h - 12.0} class="chart-axis" text-anchor="middle">{text}</text> }
        })
        .collect_view();
    let marks = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (cx, cy, sy) = (x(i), y(m.received), y(m.resolved));
            view! {
                <circle cx=cx cy=cy r="3.5" class="chart-mark-received" />
                <rect x={cx - 3.5} y={sy - 3.5} width="7" height="7" class="chart-mark-resolved" />
            }
        })
        .collect_view();
    let rows = months
        .iter()
        .map(|m| {
            let received = list_url(&d.month_link(m, Figure::Received));
            let closed = list_url(&d.month_link(m, Figure::Closed));
            let resolved = list_url(&d.month_link(m, Figure::Resolved));
            view! {
                <tr>
                    <th scope="row">{m.month.clone()}</th>
                    <td class="num"><a href=received>{m.received}</a></td>
                    <td class="num"><a href=closed>{m.closed}</a></td>
                    <td class="num"><a href=resolved>{m.resolved}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel dash-panel dash-trend" aria-labelledby="dash-trend-title" data-testid="dash-trend">
            <h2 class="panel-title" id="dash-trend-title">{tr(T::DashTrend)}</h2>
            <figure class="chart">
                <svg viewBox=format!("0 0 {w} {h}") class="chart-svg" role="img" aria-labelledby="dash-trend-title" data-testid="trend-chart">
                    {grid}
                    <path d=received_path class="chart-line-received" />
                    <path d=resolved_path class="chart-line-resolved" />
                    {marks}
                    {labels}
                </svg>
                <figcaption class="chart-legend">
                    <span class="legend legend-received">{tr(T::DashReceived)}</span>
                    <span class="legend legend-resolved">{tr(T::DashResolvedShort)}</span>
                </figcaption>
            </figure>
            <div class="table-wrap">
                <table class="table dash-table" data-testid="trend-table">
                    <caption class="sr-only">{tr(T::DashTrend)}</caption>
                    <thead><tr>
                        <th scope="col">{tr(T::DashMonth)}</th>
                        <th scope="col" class="num">{tr(T::DashReceived)}</th>
                        <th scope="col" class="num">{tr(T::DashClosedShort)}</th>
                        <th scope="col" class="num">{tr(T::DashResolvedShort)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// 1, 2, 5, 10, 20, 50… at least `v`.
fn nice_step(v: u64) -> u64 {
    let mut base = 1;
    loop {
        for m in [1, 2, 5] {
            if base * m >= v {
                return base * m;
            }
        }
        base *= 10;
    }
}

/// A table of one breakdown, with a bar of what each group received.
#[component]
fn BreakdownTable(d: Dashboard, b: Breakdown) -> impl IntoView {
    let lang = use_lang();
    let by = b.by;
    let max = b
        .rows
        .iter()
        .map(|r| r.counts.received)
        .max()
        .unwrap_or(0)
        .max(1);
    let id = format!("dash-{}", format!("{by:?}").to_lowercase());
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let rows = b
        .rows
        .iter()
        .map(|row| {
            let href = |f: Figure| {
                by.narrow(d.link(f), &row.key)
                    .map(|f| list_url(&f))
                    .unwrap_or_default()
            };
            let width = row.counts.received as f64 * 100.0 / max as f64;
            let c = row.counts;
            view! {
                <tr>
                    <th scope="row" class="dash-name">{row.label.clone()}</th>
                    <td class="dash-bar-cell" aria-hidden="true">
                        <span class="dash-bar"><span class="dash-bar-fill" style=format!("width: {width:.1}%")></span></span>
                    </td>
                    <td class="num"><a href=href(Figure::Received)>{c.received}</a></td>
                    <td class="num"><a href=href(Figure::Closed)>{c.closed}</a></td>
                    <td class="num"><a href=href(Figure::Resolved)>{c.resolved}</a></td>
                    <td class="num">{percent(c.resolution_rate())}</td>
                    <td class="num">{percent(c.on_time_rate())}</td>
                    <td class="num" data-testid="follow-up-rate">{percent(c.follow_up_rate())}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = b.rows.is_empty();
    view! {
        <section class="panel dash-panel" aria-labelledby=labelled_by data-testid=id>
            <h2 class="panel-title" id=title_id>{move || by.label(lang.get())}</h2>
            {if empty {
                view! { <p class="muted">{tr(T::DashNothing)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table dash-table">
                            <thead><tr>
                                <th scope="col">{tr(T::DashGroup)}</th>
                                <th scope="col" class="dash-bar-cell"><span class="sr-only">{tr(T::DashReceived)}</span></th>
                                <th scope="col" class="num">{tr(T::DashReceived)}</th>
                                <th scope="col" class="num">{tr(T::DashClosedShort)}</th>
                                <th scope="col" class="num">{tr(T::DashResolvedShort)}</th>
                                <th scope="col" class="num">{tr(T::DashRateShort)}</th>
                                <th scope="col" class="num">{tr(T::DashOnTimeShort)}</th>
                                <th scope="col" class="num">{tr(T::DashFollowUpShort)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The most overdue open cases, and the link to all of them.
#[component]
fn OverdueList(d: Dashboard) -> impl IntoView {
    let lang = use_lang();
    let all = list_url(&d.link(Figure::Overdue));
    let total = d.totals.overdue;
    let rows = d
        .overdue
        .iter()
        .map(|o| {
            let l = lang.get_untracked();
            view! {
                <tr>
                    <th scope="row" class="nowrap"><a href=format!("/cases/{}", o.id)>{o.code.clone()}</a></th>
                    <td>{o.category.label(l)}</td>
                    <td>{o.village.clone()}</td>
                    <td>{o.handler.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td class="nowrap">{day_text(o.due_on)}</td>
                    <td class="num overdue-days">{i18n::days_over(o.days_over, l)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = d.overdue.is_empty();
    view! {
        <section class="panel dash-panel" aria-labelledby="dash-overdue-title" data-testid="dash-overdue">
            <div class="panel-head">
                <h2 class="panel-title" id="dash-overdue-title">{tr(T::DashOverdueList)}</h2>
                <a href=all data-testid="dash-overdue-all">{move || i18n::dash_all(total, lang.get())}</a>
            </div>
            {if empty {
                view! { <p class="muted">{tr(T::DashNoOverdue)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table dash-table">
                            <thead><tr>
                                <th scope="col">{tr(T::ColCode)}</th>
                                <th scope="col">{tr(T::ColCategory)}</th>
                                <th scope="col">{tr(T::ColVillage)}</th>
                                <th scope="col">{tr(T::ColHandler)}</th>
                                <th scope="col">{tr(T::ColDue)}</th>
                                <th scope="col" class="num">{tr(T::DashDaysOver)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The villages whose matters rose against the period before.
#[component]
fn Rising(d: Dashboard) -> impl IntoView {
    let lang = use_lang();
    let l = lang.get_untracked();
    let note = i18n::dash_rising_note(
        &day_text(d.before_from),
        &day_text(d.before_to),
        d.rise_pct,
        shared::figures::RISE_MIN_MORE,
        l,
    );
    let rows = d
        .rising
        .iter()
        .map(|r| {
            let href = list_url(&d.rising_link(r));
            let change = if r.before == 0 {
                tr(T::DashNew).into_any()
            } else {
                let pct = (r.now as f64 - r.before as f64) * 100.0 / r.before as f64;
                format!("+{pct:.0}%").into_any()
            };
            view! {
                <tr>
                    <th scope="row">{r.name.clone()}</th>
                    <td class="num"><a href=href>{r.now}</a></td>
                    <td class="num">{r.before}</td>
                    <td class="num rising-change">{change}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = d.rising.is_empty();
    view! {
        <section class="panel dash-panel" aria-labelledby="dash-rising-title" data-testid="dash-rising">
            <h2 class="panel-title" id="dash-rising-title">{tr(T::DashRising)}</h2>
            <p class="muted small">{note}</p>
            {if empty {
                view! { <p class="muted">{tr(T::DashNoRising)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table dash-table">
                            <thead><tr>
                                <th scope="col">{tr(T::ColVillage)}</th>
                                <th scope="col" class="num">{tr(T::DashThisPeriod)}</th>
                                <th scope="col" class="num">{tr(T::DashPeriodBefore)}</th>
                                <th scope="col" class="num">{tr(T::DashChange)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(3), 5);
        assert_eq!(nice_step(7), 10);
        assert_eq!(nice_step(11), 20);
        assert_eq!(nice_step(2400), 5000);
    }

    #[test]
    fn the_address_keeps_what_is_asked() {
        assert_eq!(dashboard_url(&DashboardQuery::default()), "/dashboard");
        let q = DashboardQuery {
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 3, 31),
            village: Some(4),
            rise: None,
            town: None,
        };
        assert_eq!(
            dashboard_url(&q),
            "/dashboard?from=2026-01-01&to=2026-03-31&village=4"
        );
        let county = DashboardQuery {
            town: Some(9),
            ..DashboardQuery::default()
        };
        assert_eq!(dashboard_url(&county), "/dashboard?town=9");
        assert_eq!(percent(Some(95.25)), "95.2%");
        assert_eq!(percent(None), "—");
    }
}

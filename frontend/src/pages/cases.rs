//! The case list (`/cases`): every case of the town, archived included, found by code,
//! archive number, party (within the masking rules) or text, filtered by the board's filters
//! plus period, stage, result and satisfaction, sorted and paged. Everything lives in the URL.
//! The same filter exports the ledger (CSV or XLSX) with progress.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::{CaseFilter, CaseListItem};
use shared::model::{CaseSort, Outcome, Role, Satisfaction, Stage};
use shared::privacy::PartyView;

use crate::api;
use crate::api::download::{self, Progress};
use crate::components::badge::DeadlineBadge;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::notice::use_notices;
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::filter;
use crate::logic::time;
use crate::pages::board::filters::{FilterBar, FilterSelect, vocab};
use crate::session::use_session;

/// Who may export the ledger (the server decides; this only shows the buttons).
fn may_export(role: Role) -> bool {
    matches!(
        role,
        Role::Lead | Role::Clerk | Role::TownLeader | Role::Admin
    )
}

/// The case list page.
#[component]
pub fn CasesPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let filter = Memo::new(move |_| query.with(|q| filter::from_lookup(|k| q.get(k))));
    let set_filter = Callback::new(move |(f, replace): (CaseFilter, bool)| {
        navigate(
            &filter::url("/cases", &f),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });
    // A period whose end is before its start is explained by the field itself (the list's
    // filters) and not asked of the server.
    let page = LocalResource::new(move || {
        let f = filter.get();
        async move {
            match (f.from, f.to) {
                (Some(from), Some(to)) if to < from => None,
                _ => Some(api::cases(&f).await),
            }
        }
    });
    let exporter = move || {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| may_export(u.role)))
    };
    let today = time::today();

    view! {
        <div class="page page-wide cases-page" data-testid="cases-page">
            <div class="page-head cases-head">
                <div>
                    <h1 class="page-title">{tr(T::CasesTitle)}</h1>
                    <p class="muted">{tr(T::CasesSubtitle)}</p>
                </div>
                <span class="cases-total" data-testid="cases-total" role="status">
                    {move || page.get().flatten().and_then(Result::ok).map(|p| i18n::count_cases(usize::try_from(p.total).unwrap_or(usize::MAX), lang.get()))}
                </span>
            </div>
            <FilterBar filter set_filter />
            <ListFilters filter set_filter />
            <FigureConditions filter set_filter />
            <Show when=exporter>
                <ExportPanel filter />
            </Show>
            {move || match page.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => ().into_any(),
                Some(Some(Err(err))) => view! {
                    <ErrorBox error=err title=T::CasesLoadFailed retry=Callback::new(move |_| page.refetch()) />
                }.into_any(),
                Some(Some(Ok(p))) if p.items.is_empty() => view! {
                    <p class="state state-empty" data-testid="cases-empty">{tr(T::CasesEmpty)}</p>
                }.into_any(),
                Some(Some(Ok(p))) => {
                    let pages = u32::try_from(p.total.div_ceil(u64::from(p.per_page.max(1)))).unwrap_or(u32::MAX).max(1);
                    let current = p.page;
                    let go = move |to: u32| {
                        let mut f = filter.get_untracked();
                        f.page = (to > 1).then_some(to);
                        set_filter.run((f, false));
                        if let Some(w) = web_sys::window() {
                            w.scroll_to_with_x_and_y(0.0, 0.0);
                        }
                    };
                    view! {
                        <div class="table-wrap panel cases-table-wrap">
                            <table class="table cases-table" data-testid="cases-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{tr(T::ColCode)}</th>
                                        <th scope="col">{tr(T::ColSummary)}</th>
                                        <th scope="col" class="col-category">{tr(T::ColCategory)}</th>
                                        <th scope="col" class="col-village">{tr(T::ColVillage)}</th>
                                        <th scope="col" class="col-handler">{tr(T::ColHandler)}</th>
                                        <th scope="col">{tr(T::ColStage)}</th>
                                        <th scope="col">{tr(T::ColRegistered)}</th>
                                        <th scope="col">{tr(T::ColDue)}</th>
                                        <th scope="col">{tr(T::ColOutcome)}</th>
                                        <th scope="col" class="col-archive">{tr(T::ColArchive)}</th>
                                        <th scope="col" class="col-rating">{tr(T::ColRating)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.items.into_iter().map(|item| view! { <Row item today /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label=tr(T::PagesNav) data-testid="pager">
                            <button type="button" class="btn btn-secondary" data-testid="page-prev"
                                disabled={current <= 1} on:click=move |_| go(current.saturating_sub(1))>
                                {tr(T::PagePrev)}
                            </button>
                            <span data-testid="page-of">{move || i18n::page_of(current, pages, lang.get())}</span>
                            <button type="button" class="btn btn-secondary" data-testid="page-next"
                                disabled={current >= pages} on:click=move |_| go(current + 1)>
                                {tr(T::PageNext)}
                            </button>
                        </nav>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// One case of the list.
#[component]
fn Row(item: CaseListItem, today: chrono::NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let card = item.card;
    let href = format!("/cases/{}", card.id);
    let stage = card.stage;
    let open = matches!(stage, Stage::Registered | Stage::Routed | Stage::InHandling);
    let (category, handler) = (card.category, card.handler_name.clone().unwrap_or_default());
    let closed = item.closed_at.map(|at| time::date(time::date_of(at)));
    let (outcome, rating, archive_no) = (item.outcome, item.rating, item.archive_no);
    let code = card.code.clone();
    view! {
        <tr data-testid="case-row" data-code=code data-stage=stage.as_str()>
            <td class="col-code"><a href=href data-testid="case-link">{card.code}</a></td>
            <td class="col-summary">{card.summary.clone()}</td>
            <td class="col-category">{move || category.label(lang.get())}</td>
            <td class="col-village">{card.village.clone()}</td>
            <td class="col-handler">{handler}</td>
            <td><span class=format!("stage-tag stage-{}", stage.as_str())>{move || stage.label(lang.get())}</span></td>
            <td class="nowrap">{time::date(time::date_of(card.registered_at))}</td>
            <td class="nowrap">
                {if open {
                    view! { <DeadlineBadge stage due_on=card.due_on today /> }.into_any()
                } else {
                    view! { <span class="muted">{move || closed.clone().map(|d| format!("{} {d}", T::ClosedOn.get(lang.get())))}</span> }.into_any()
                }}
            </td>
            <td>{move || outcome.map(|o| o.label(lang.get()))}</td>
            <td class="col-archive nowrap">{archive_no}</td>
            <td class="col-rating">{move || rating.map(|r| r.label(lang.get()))}</td>
        </tr>
    }
}

/// The list's own filters: period of registration, stage, result, satisfaction, order.
#[component]
fn ListFilters(
    filter: Memo<CaseFilter>,
    set_filter: Callback<(CaseFilter, bool)>,
) -> impl IntoView {
    let lang = use_lang();
    let change = move |edit: Box<dyn FnOnce(&mut CaseFilter)>| {
        let mut f = filter.get_untracked();
        edit(&mut f);
        f.page = None;
        set_filter.run((f, false));
    };
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let parse = |v: String| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
    let reversed = move || filter.with(|f| matches!((f.from, f.to), (Some(a), Some(b)) if b < a));
    view! {
        <form class="filter-bar list-filters" aria-label=tr(T::ListFilters) data-testid="list-filters" on:submit=|ev| ev.prevent_default()>
            <label class="filter" for="filter-from">
                <span class="filter-label">{tr(T::FilterFrom)}</span>
                <input type="date" id="filter-from" name="from" data-testid="filter-from"
                    prop:value=move || filter.with(|f| day(f.from))
                    on:change=move |ev| { let v = parse(event_target_value(&ev)); change(Box::new(move |f| f.from = v)); } />
            </label>
            <label class="filter" for="filter-to">
                <span class="filter-label">{tr(T::FilterTo)}</span>
                <input type="date" id="filter-to" name="to" data-testid="filter-to"
                    aria-invalid=move || reversed().then_some("true")
                    aria-describedby=move || reversed().then_some("filter-to-error")
                    prop:value=move || filter.with(|f| day(f.to))
                    on:change=move |ev| { let v = parse(event_target_value(&ev)); change(Box::new(move |f| f.to = v)); } />
            </label>
            <FilterSelect
                name="stage"
                label=T::FilterStage
                options=vocab(lang, Stage::ALL, Stage::as_str, Stage::label)
                value=Signal::derive(move || filter.with(|f| f.stage.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.stage = Stage::parse(&v))))
            />
            <FilterSelect
                name="outcome"
                label=T::FilterOutcome
                options=vocab(lang, Outcome::ALL, Outcome::as_str, Outcome::label)
                value=Signal::derive(move || filter.with(|f| f.outcome.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.outcome = Outcome::parse(&v))))
            />
            <FilterSelect
                name="rating"
                label=T::FilterRating
                options=vocab(lang, Satisfaction::ALL, Satisfaction::as_str, Satisfaction::label)
                value=Signal::derive(move || filter.with(|f| f.rating.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.rating = Satisfaction::parse(&v))))
            />
            <label class="filter" for="filter-sort">
                <span class="filter-label">{tr(T::SortLabel)}</span>
                <select id="filter-sort" name="sort" data-testid="filter-sort"
                    on:change=move |ev| { let v = event_target_value(&ev); change(Box::new(move |f| f.sort = CaseSort::parse(&v).filter(|s| *s != CaseSort::Newest))); }>
                    {CaseSort::ALL.iter().map(|s| {
                        let s = *s;
                        view! {
                            <option value=s.as_str() selected=move || filter.with(|f| f.sort.unwrap_or(CaseSort::Newest) == s)>
                                {move || s.label(lang.get())}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <Show when=reversed>
                <p class="field-error" id="filter-to-error" role="alert" data-testid="period-error">
                    {move || shared::api::period_reversed().message(lang.get())}
                </p>
            </Show>
        </form>
    }
}

/// A condition shown: its test id, its words, and how to take it off the filter.
type Condition = (&'static str, String, fn(&mut CaseFilter));

/// The conditions a link from the dashboard adds (closed period, result class, on time or
/// late, on the spot, a risk, reported to the police, services, in person): shown, so that a
/// number followed here says what it counts, each with a button that removes it.
#[component]
fn FigureConditions(
    filter: Memo<CaseFilter>,
    set_filter: Callback<(CaseFilter, bool)>,
) -> impl IntoView {
    let lang = use_lang();
    let conditions = move || {
        let l = lang.get();
        let f = filter.get();
        let mut out: Vec<Condition> = Vec::new();
        if f.closed_from.is_some() || f.closed_to.is_some() {
            let day =
                |d: Option<chrono::NaiveDate>| d.map(time::date).unwrap_or_else(|| "…".to_owned());
            out.push((
                "closed",
                format!(
                    "{} {} – {}",
                    T::ClosedBetween.get(l),
                    day(f.closed_from),
                    day(f.closed_to)
                ),
                |f| {
                    f.closed_from = None;
                    f.closed_to = None;
                },
            ));
        }
        if let Some(r) = f.resolution {
            out.push(("resolution", r.label(l).to_owned(), |f| f.resolution = None));
        }
        if let Some(t) = f.timeliness {
            out.push(("timeliness", t.label(l).to_owned(), |f| f.timeliness = None));
        }
        if f.spot {
            out.push(("spot", T::OnlySpot.get(l).to_owned(), |f| f.spot = false));
        }
        if let Some(flag) = f.flag {
            out.push(("flag", flag.label(l).to_owned(), |f| f.flag = None));
        }
        if f.police {
            out.push(("police", T::OnlyPolice.get(l).to_owned(), |f| {
                f.police = false
            }));
        }
        if f.service {
            out.push(("service", T::OnlyServices.get(l).to_owned(), |f| {
                f.service = false
            }));
        }
        if f.in_person {
            out.push(("in-person", T::OnlyInPerson.get(l).to_owned(), |f| {
                f.in_person = false
            }));
        }
        out
    };
    view! {
        <Show when=move || !conditions().is_empty()>
            <div class="figure-conditions" role="group" aria-label=tr(T::FromFigures) data-testid="figure-conditions">
                <span class="filter-label">{tr(T::FromFigures)}</span>
                {move || conditions().into_iter().map(|(id, text, clear)| {
                    let remove = move |_| {
                        let mut f = filter.get_untracked();
                        clear(&mut f);
                        f.page = None;
                        set_filter.run((f, false));
                    };
                    view! {
                        <span class="condition" data-testid=format!("condition-{id}")>
                            {text.clone()}
                            <button type="button" class="condition-x" on:click=remove
                                aria-label=move || format!("{}: {}", T::RemoveCondition.get(lang.get()), text)>
                                "×"
                            </button>
                        </span>
                    }
                }).collect_view()}
            </div>
        </Show>
    }
}

/// Where an export is.
#[derive(Debug, Clone, PartialEq)]
enum Export {
    Idle,
    Running { progress: Progress, seconds: u64 },
}

/// The ledger export: two buttons, the masking choice, and the progress of a running export.
#[component]
fn ExportPanel(filter: Memo<CaseFilter>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let notices = use_notices();
    let sees_parties = move || {
        session.user.with(|u| {
            u.as_ref()
                .is_some_and(|u| PartyView::of(u.role) == PartyView::All)
        })
    };
    let masked = RwSignal::new(false);
    let state = RwSignal::new(Export::Idle);
    let failed = RwSignal::new(None::<api::Error>);
    let start = move |format: &'static str| {
        if state.get_untracked() != Export::Idle {
            return;
        }
        failed.set(None);
        let url = api::ledger_url(
            &filter.get_untracked(),
            format,
            masked.get_untracked() && sees_parties(),
        );
        let name = format!(
            "{}-{}.{format}",
            T::LedgerFileName.get(lang.get_untracked()),
            time::date(time::today())
        );
        let started = js_sys::Date::now();
        let elapsed = move || ((js_sys::Date::now() - started) / 1000.0).max(0.0) as u64;
        state.set(Export::Running {
            progress: Progress::default(),
            seconds: 0,
        });
        // The clock ticks while the server prepares a file that has not started to arrive.
        let ticker = set_interval_with_handle(
            move || {
                let _ = state.try_update(|s| {
                    if let Export::Running { seconds, .. } = s {
                        *seconds = elapsed();
                    }
                });
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        spawn_local(async move {
            let result = download::save(&url, &name, format == "csv", move |progress| {
                let _ = state.try_set(Export::Running {
                    progress,
                    seconds: elapsed(),
                });
            })
            .await;
            if let Some(t) = ticker {
                t.clear();
            }
            let _ = state.try_set(Export::Idle);
            match result {
                Ok(done) => notices.success(i18n::exported(
                    done.rows.unwrap_or(0),
                    done.masked,
                    lang.get_untracked(),
                )),
                Err(err) => {
                    let _ = failed.try_set(Some(err));
                }
            }
        });
    };
    let running = move || state.with(|s| matches!(s, Export::Running { .. }));
    view! {
        <section class="panel export-panel" data-testid="export-panel" aria-labelledby="export-title">
            <div class="export-row">
                <h2 class="panel-title" id="export-title">{tr(T::ExportTitle)}</h2>
                <button type="button" class="btn btn-primary" data-testid="export-xlsx"
                    disabled=running on:click=move |_| start("xlsx")>
                    {tr(T::ExportXlsx)}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="export-csv"
                    disabled=running on:click=move |_| start("csv")>
                    {tr(T::ExportCsv)}
                </button>
                {move || if sees_parties() {
                    view! {
                        <label class="check" for="export-masked">
                            <input type="checkbox" id="export-masked" data-testid="export-masked"
                                prop:checked=move || masked.get()
                                on:change=move |ev| masked.set(event_target_checked(&ev)) />
                            <span>{tr(T::ExportMasked)}</span>
                        </label>
                    }.into_any()
                } else {
                    view! { <span class="muted" data-testid="export-masked-always">{tr(T::ExportMaskedAlways)}</span> }.into_any()
                }}
            </div>
            <p class="muted export-hint">{tr(T::ExportHint)}" "{tr(T::ExportRecorded)}</p>
            {move || match state.get() {
                Export::Idle => ().into_any(),
                Export::Running { progress, seconds } => {
                    let total = progress.rows;
                    // A CSV's records end in line breaks: the heading's, then one per row.
                    let done = progress.lines.saturating_sub(1).min(total.unwrap_or(0));
                    let csv_rows = (progress.lines > 0).then_some(()).and(total).map(|t| (done, t));
                    let label = if progress.bytes == 0 {
                        format!("{} {seconds} s", T::ExportPreparing.get(lang.get()))
                    } else {
                        i18n::export_progress(csv_rows, progress.bytes, seconds, lang.get())
                    };
                    let value = csv_rows.filter(|(_, t)| *t > 0).map(|(d, t)| (d as f64 / t as f64 * 100.0).round());
                    view! {
                        <div class="export-progress" role="status" aria-live="polite" data-testid="export-progress">
                            {match value {
                                Some(v) => view! { <progress max="100" value=v.to_string() aria-label=tr(T::ExportTitle)></progress> }.into_any(),
                                None => view! { <progress aria-label=tr(T::ExportTitle)></progress> }.into_any(),
                            }}
                            <span>{label}</span>
                        </div>
                    }.into_any()
                }
            }}
            {move || failed.get().map(|err| view! {
                <div data-testid="export-error"><ErrorBox error=err title=T::ExportFailed /></div>
            })}
        </section>
    }
}

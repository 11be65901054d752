//! The board's filter bar. Every filter lives in the URL (the `CaseFilter` field names), so a
//! reload or the back button restores it; the search box updates the URL as one types, after a
//! short pause, without filling the history.

use std::time::Duration;

use leptos::prelude::*;
use shared::api::CaseFilter;
use shared::model::{CaseKind, Category, Channel, OrgLevel, RiskLevel};
use shared::privacy::PartyView;

use crate::api;
use crate::i18n::{T, tr, use_lang};
use crate::logic::filter::is_filtered;
use crate::logic::org::units_below;
use crate::session::use_session;

/// A labelled select of the filter bar; the empty value means "all".
#[component]
pub(crate) fn FilterSelect(
    name: &'static str,
    label: T,
    options: Signal<Vec<(String, String)>>,
    value: Signal<String>,
    on_change: Callback<String>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let (label_for, testid) = (id.clone(), id.clone());
    view! {
        <label class="filter" for=label_for>
            <span class="filter-label">{tr(label)}</span>
            <select
                id=id
                name=name
                data-testid=testid
                class:active=move || !value.with(String::is_empty)
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                <option value="" selected=move || value.with(String::is_empty)>{tr(T::FilterAll)}</option>
                <For each=move || options.get() key=|(v, l)| (v.clone(), l.clone()) let:item>
                    {
                        let (v, l) = item;
                        let selected_value = v.clone();
                        view! { <option value=v selected=move || value.with(|x| *x == selected_value)>{l}</option> }
                    }
                </For>
            </select>
        </label>
    }
}

/// The options of a vocabulary's select (wire name, label), in the interface language.
pub(crate) fn vocab<V: Copy + Send + Sync + 'static>(
    lang: RwSignal<shared::Lang>,
    all: &'static [V],
    wire: fn(V) -> &'static str,
    label: fn(V, shared::Lang) -> &'static str,
) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        let l = lang.get();
        all.iter()
            .map(|v| (wire(*v).to_owned(), label(*v, l).to_owned()))
            .collect()
    })
}

/// The filter bar.
#[component]
pub fn FilterBar(
    filter: Memo<CaseFilter>,
    set_filter: Callback<(CaseFilter, bool)>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    // What the search box searches for this role: the server searches names and case text
    // only where the reader may see the parties (`shared::privacy::PartyView`).
    let search_placeholder = move || match session
        .user
        .with(|u| u.as_ref().map(|u| PartyView::of(u.role)))
    {
        Some(PartyView::All) | None => T::FilterSearchPlaceholder,
        Some(PartyView::OwnCases) => T::FilterSearchPlaceholderOwn,
        Some(PartyView::Nothing) => T::FilterSearchPlaceholderCode,
    };
    let org = LocalResource::new(api::org);
    let handlers = LocalResource::new(api::handlers);
    // A county officer's board holds every town: one more select, for the town.
    let county_wide = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role.is_county_wide()))
    });
    let towns = LocalResource::new(api::towns);
    let town_options = Signal::derive(move || {
        towns
            .get()
            .and_then(Result::ok)
            .map(|list| {
                list.into_iter()
                    .map(|t| (t.id.to_string(), t.name))
                    .collect()
            })
            .unwrap_or_default()
    });

    let change = move |edit: Box<dyn FnOnce(&mut CaseFilter)>| {
        let mut f = filter.get_untracked();
        edit(&mut f);
        f.page = None;
        set_filter.run((f, false));
    };

    let villages = Signal::derive(move || {
        org.get()
            .and_then(Result::ok)
            .map(|units| {
                units_below(&units, None, OrgLevel::Village)
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.name))
                    .collect()
            })
            .unwrap_or_default()
    });
    let handler_options = Signal::derive(move || {
        handlers
            .get()
            .and_then(Result::ok)
            .map(|list| {
                list.into_iter()
                    .map(|h| (h.handler.to_string(), h.name))
                    .collect()
            })
            .unwrap_or_default()
    });

    // The search box: typed text is local, and reaches the URL after a pause.
    let typed = RwSignal::new(filter.get_untracked().q.unwrap_or_default());
    Effect::new(move || {
        let q = filter.with(|f| f.q.clone().unwrap_or_default());
        if typed.get_untracked().trim() != q {
            typed.set(q);
        }
    });
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let push_search = move |text: String| {
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let mut f = filter.get_untracked();
                let q = text.trim().to_owned();
                let q = (!q.is_empty()).then_some(q);
                if f.q != q {
                    f.q = q;
                    f.page = None;
                    set_filter.run((f, true));
                }
            },
            Duration::from_millis(350),
        )
        .ok();
        timer.set_value(handle);
    };

    // On a tablet the filters fold into one line: the search box and a button that opens the
    // rest (saying how many are set), so that the columns keep the height.
    let unfolded = RwSignal::new(false);
    let folded_count = move || filter.with(crate::logic::filter::folded_filters);
    view! {
        <form class="filter-bar" class:folded=move || !unfolded.get() role="search" data-testid="filters"
            on:submit=|ev| ev.prevent_default()>
            <button type="button" class="btn btn-secondary filter-fold" data-testid="filter-fold"
                aria-expanded=move || unfolded.get().to_string() aria-controls="filter-more"
                on:click=move |_| unfolded.update(|u| *u = !*u)>
                {move || match folded_count() {
                    0 => T::FiltersButton.get(lang.get()).to_owned(),
                    n => format!("{} ({n})", T::FiltersButton.get(lang.get())),
                }}
            </button>
            <div class="filter-more" id="filter-more">
            <Show when=move || county_wide.get()>
                <FilterSelect
                    name="town"
                    label=T::TownLabel
                    options=town_options
                    value=Signal::derive(move || filter.with(|f| f.town.map(|v| v.to_string()).unwrap_or_default()))
                    on_change=Callback::new(move |v: String| change(Box::new(move |f| f.town = v.parse().ok())))
                />
            </Show>
            <FilterSelect
                name="kind"
                label=T::FilterKind
                options=vocab(lang, CaseKind::ALL, CaseKind::as_str, CaseKind::label)
                value=Signal::derive(move || filter.with(|f| f.kind.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.kind = CaseKind::parse(&v))))
            />
            <FilterSelect
                name="category"
                label=T::FilterCategory
                options=vocab(lang, Category::ALL, Category::as_str, Category::label)
                value=Signal::derive(move || filter.with(|f| f.category.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.category = Category::parse(&v))))
            />
            <FilterSelect
                name="village"
                label=T::FilterVillage
                options=villages
                value=Signal::derive(move || filter.with(|f| f.village.map(|v| v.to_string()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.village = v.parse().ok())))
            />
            <FilterSelect
                name="handler"
                label=T::FilterHandler
                options=handler_options
                value=Signal::derive(move || filter.with(|f| f.handler.map(|v| v.to_string()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.handler = v.parse().ok())))
            />
            <FilterSelect
                name="risk"
                label=T::FilterRisk
                options=vocab(lang, RiskLevel::ALL, RiskLevel::as_str, RiskLevel::label)
                value=Signal::derive(move || filter.with(|f| f.risk.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.risk = RiskLevel::parse(&v))))
            />
            <FilterSelect
                name="channel"
                label=T::FilterChannel
                options=vocab(lang, Channel::ALL, Channel::as_str, Channel::label)
                value=Signal::derive(move || filter.with(|f| f.channel.map(|v| v.as_str().to_owned()).unwrap_or_default()))
                on_change=Callback::new(move |v: String| change(Box::new(move |f| f.channel = Channel::parse(&v))))
            />
            </div>
            <label class="filter filter-search" for="filter-q">
                <span class="filter-label">{tr(T::FilterSearch)}</span>
                <input
                    type="search"
                    id="filter-q"
                    name="q"
                    data-testid="filter-q"
                    autocomplete="off"
                    placeholder=move || search_placeholder().get(lang.get())
                    title=move || {
                        (search_placeholder() != T::FilterSearchPlaceholder)
                            .then(|| T::FilterSearchLimitedHint.get(lang.get()))
                    }
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        typed.set(v.clone());
                        push_search(v);
                    }
                />
            </label>
            <div class="filter-toggles filter-more">
                <label class="check" for="filter-overdue">
                    <input
                        type="checkbox"
                        id="filter-overdue"
                        name="overdue"
                        data-testid="filter-overdue"
                        prop:checked=move || filter.with(|f| f.overdue)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            change(Box::new(move |f| f.overdue = on));
                        }
                    />
                    <span>{tr(T::FilterOverdue)}</span>
                </label>
                <label class="check" for="filter-mine">
                    <input
                        type="checkbox"
                        id="filter-mine"
                        name="mine"
                        data-testid="filter-mine"
                        prop:checked=move || filter.with(|f| f.mine)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            change(Box::new(move |f| f.mine = on));
                        }
                    />
                    <span>{tr(T::FilterMine)}</span>
                </label>
                <label class="check" for="filter-county">
                    <input
                        type="checkbox"
                        id="filter-county"
                        name="county"
                        data-testid="filter-county"
                        prop:checked=move || filter.with(|f| f.county)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            change(Box::new(move |f| f.county = on));
                        }
                    />
                    <span>{tr(T::CountyFilter)}</span>
                </label>
                <Show when=move || filter.with(is_filtered)>
                    <button
                        type="button"
                        class="btn btn-link"
                        data-testid="clear-filters"
                        on:click=move |_| {
                            typed.set(String::new());
                            set_filter.run((CaseFilter::default(), false));
                        }
                    >
                        {tr(T::ClearFilters)}
                    </button>
                </Show>
            </div>
        </form>
    }
}

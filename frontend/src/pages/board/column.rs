//! One column of the board and its cards. The column is a scroll container that renders only
//! the cards in view (plus a few), between two spacers that keep the scrollbar honest: ten
//! thousand cards make a dozen DOM nodes.

use std::sync::Arc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::model::{CaseCard, Stage};
use wasm_bindgen::JsCast;

use super::{BoardCtx, CARD_SLOT, OVERSCAN, drag, menu};
use crate::components::badge::{DeadlineBadge, RiskTag, badge_name};
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::board::column_cards;
use crate::logic::window::visible_window;

/// A board column.
#[component]
pub fn Column(stage: Stage, index: usize, ctx: BoardCtx, count: Signal<usize>) -> impl IntoView {
    let lang = use_lang();
    let list = Memo::new(move |_| {
        let today = ctx.today.get();
        ctx.cards.with(|cards| column_cards(cards, stage, today))
    });
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(0.0_f64);
    let body = NodeRef::<html::Div>::new();
    let section = ctx.columns[index];

    let measure = move || {
        if let Some(el) = body.get_untracked() {
            viewport.set(f64::from(el.client_height()));
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    // Measure once laid out, and again when the window changes size.
    Effect::new(move || {
        if body.get().is_some() {
            request_animation_frame(measure);
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    // A card this person just moved into this column: if its place is out of sight, the
    // column scrolls to it and it is highlighted; the keyboard focus, lost with the card's
    // old element, goes to its menu button.
    Effect::new(move || {
        let Some(id) = ctx.focus.get() else {
            return;
        };
        let Some(i) = list.with(|l| l.iter().position(|c| c.id == id)) else {
            return;
        };
        ctx.focus.set(None);
        let Some(el) = body.get_untracked() else {
            return;
        };
        let top = i as f64 * CARD_SLOT;
        let (seen_from, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
        if top < seen_from || top + CARD_SLOT > seen_from + height {
            let target = (top - (height - CARD_SLOT) / 2.0).max(0.0);
            el.set_scroll_top(target as i32);
            scroll_top.set(target);
            ctx.highlight(id);
        }
        let code = list.with_untracked(|l| l.get(i).map(|c| c.code.clone()));
        request_animation_frame(move || {
            let lost = document()
                .active_element()
                .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
            if let (true, Some(code)) = (lost, code) {
                menu::focus_card_menu(&code);
            }
        });
    });

    let window = Memo::new(move |_| {
        let n = list.with(Vec::len);
        visible_window(n, CARD_SLOT, scroll_top.get(), viewport.get(), OVERSCAN)
    });
    let visible = move || {
        let w = window.get();
        list.with(|l| l[w.start..w.end].to_vec())
    };

    let drop_state = move || {
        ctx.drag.with(|d| {
            d.as_ref()
                .filter(|d| d.active)
                .map(|d| d.column_state(stage))
                .unwrap_or("idle")
        })
    };
    let label = move || stage.label(lang.get());
    let heading_id = format!("col-{}", stage.as_str());
    let labelled_by = heading_id.clone();

    view! {
        <section
            class=move || format!("column drop-{}", drop_state())
            node_ref=section
            data-testid=format!("column-{}", stage.as_str())
            data-stage=stage.as_str()
            data-drop=drop_state
            aria-labelledby=labelled_by
        >
            <header class="column-head">
                <h2 id=heading_id>{label}</h2>
                <span class="column-count" data-testid="column-count">{move || count.get()}</span>
            </header>
            <div
                class="column-body"
                node_ref=body
                tabindex="-1"
                on:scroll=move |_| {
                    if let Some(el) = body.get_untracked() {
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
            >
                <div class="spacer-top" style:height=move || format!("{}px", window.get().pad_top)></div>
                // Keyed by the card object: a card replaced by a fuller one of the same version
                // (an urging, a cooperating unit's name) is drawn again.
                <For each=visible key=|c| (c.id, Arc::as_ptr(c) as usize) let:card>
                    <Card card ctx />
                </For>
                <div class="spacer-bottom" style:height=move || format!("{}px", window.get().pad_bottom)></div>
                <Show when=move || list.with(Vec::is_empty)>
                    <div class="state state-empty column-empty" data-testid="column-empty">
                        {move || if ctx.filtered.get() { T::ColumnEmptyFiltered.get(lang.get()) } else { T::ColumnEmpty.get(lang.get()) }}
                    </div>
                </Show>
            </div>
            <div class="drop-hint" aria-hidden="true">{tr(T::DropHere)}</div>
        </section>
    }
}

/// One card.
#[component]
fn Card(card: Arc<CaseCard>, ctx: BoardCtx) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let id = card.id;
    let href = format!("/cases/{id}");
    let today = ctx.today.get_untracked();
    let badge = card.badge(today);
    let pending = move || ctx.pending.with(|p| p.contains(&id));
    let fresh = move || ctx.fresh.with(|f| f.contains(&id));
    let escalation = card
        .is_escalated(today)
        .then_some(card.escalation)
        .flatten();
    let cooperating = card.cooperating_names.clone();
    let arrived = move || ctx.arrived.with(|a| a.contains(&id));
    let dragging = move || {
        ctx.drag
            .with(|d| d.as_ref().is_some_and(|d| d.active && d.card.id == id))
    };
    let held = move || {
        ctx.drag.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.held && d.by_touch && !d.active && d.card.id == id)
        })
    };
    let (kind, category, stage, due_on, risk) =
        (card.kind, card.category, card.stage, card.due_on, card.risk);
    let handler = card.handler_name.clone();
    let unassigned = handler.is_none();
    let returned = card.returned.clone();
    let awaiting = card.awaiting_until;
    let urgings = card.open_urgings;
    let (suspended, extension, police) = (
        card.suspended_on,
        card.extension_pending,
        card.police_pending,
    );
    let online = card.channel == shared::model::Channel::Online;
    let repeat_of = card.repeat_of.clone();
    let county_pending = card.county_pending;
    let category_name = card.category_name.clone();
    let read_only = ctx
        .actor
        .get_untracked()
        .is_some_and(|a| a.role.is_county_wide());
    let town_id = card.town_id;
    let down_card = card.clone();
    let menu_card = card.clone();
    let open_href = href.clone();

    view! {
        <div class="card-slot">
            <article
                class="card"
                class:pending=pending
                class:arrived=arrived
                class:fresh=fresh
                class:dragging=dragging
                class:held=held
                data-testid=format!("card-{}", card.code)
                data-code=card.code.clone()
                data-id=id.to_string()
                data-stage=stage.as_str()
                data-version=card.version.to_string()
                data-badge=badge_name(badge)
                aria-busy=move || pending().to_string()
                on:pointerdown=move |ev| drag::begin(ctx, down_card.clone(), &ev)
                on:dragstart=|ev| ev.prevent_default()
                on:click=move |ev: ev::MouseEvent| {
                    if ctx.just_dragged.get_untracked() {
                        ev.prevent_default();
                        ev.stop_propagation();
                        return;
                    }
                    // A click on the card's body (not on its link or buttons) opens the case.
                    let on_control = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|el| el.closest("a, button").ok().flatten())
                        .is_some();
                    if !on_control {
                        navigate(&open_href, Default::default());
                    }
                }
            >
                <span class="drag-handle" data-testid="drag-handle" title=tr(T::DragHandle) aria-hidden="true">
                    <span class="grip"></span>
                </span>
                <div class="card-main">
                    <div class="card-top">
                        <a class="card-code" href=href draggable="false" data-testid="card-link">{card.code.clone()}</a>
                        <Show when=fresh>
                            <span class="chip chip-new" data-testid="card-new"
                                title=move || T::NewCaseTitle.get(lang.get())>
                                {tr(T::ChipNew)}
                            </span>
                        </Show>
                        {escalation.map(|level| view! {
                            <span class="chip chip-escalated" data-testid="card-escalated"
                                data-level=level.as_str()
                                title=move || level.label(lang.get())>
                                {tr(T::ChipEscalated)}
                            </span>
                        })}
                        {awaiting.map(|until| view! {
                            <span class="chip chip-wait" data-testid="card-awaiting"
                                title=move || i18n::awaiting_title(until, lang.get())>
                                {tr(T::AwaitingChip)}
                            </span>
                        })}
                        {(urgings > 0).then(|| view! {
                            <span class="chip chip-urged" data-testid="card-urged">
                                {move || i18n::urged(urgings, lang.get())}
                            </span>
                        })}
                        {suspended.map(|since| view! {
                            <span class="chip chip-wait" data-testid="card-suspended"
                                title=move || format!("{} {}", T::SuspendedSince.get(lang.get()), since)>
                                {tr(T::ChipSuspended)}
                            </span>
                        })}
                        {extension.then(|| view! {
                            <span class="chip chip-urged" data-testid="card-extension">{tr(T::ChipExtension)}</span>
                        })}
                        {police.then(|| view! {
                            <span class="chip chip-police" data-testid="card-police">{tr(T::ChipPolice)}</span>
                        })}
                        {repeat_of.map(|code| view! {
                            <span class="chip chip-repeat" data-testid="card-repeat"
                                title=move || i18n::repeat_of_title(&code, lang.get())>
                                {tr(T::ChipRepeat)}
                            </span>
                        })}
                        {county_pending.then(|| view! {
                            <span class="chip chip-escalated" data-testid="card-county">{tr(T::CountyChip)}</span>
                        })}
                        {online.then(|| view! {
                            <span class="chip chip-online" data-testid="card-online"
                                title=move || T::OnlineTitle.get(lang.get())>
                                {tr(T::ChipOnline)}
                            </span>
                        })}
                        {if suspended.is_some() {
                            ().into_any()
                        } else {
                            view! { <DeadlineBadge stage due_on today /> }.into_any()
                        }}
                    </div>
                    <div class="card-summary" title=card.summary.clone()>{card.summary.clone()}</div>
                    <div class="card-meta">
                        <span class="card-kind">
                            {move || format!("{} · {}", kind.label(lang.get()),
                                shared::categories::case_category(category, category_name.as_ref(), lang.get()))}
                        </span>
                        <RiskTag risk />
                    </div>
                    <div class="card-foot">
                        <span class="card-where">
                            {move || ctx.town_name(town_id).map(|t| view! {
                                <span class="card-town" data-testid="card-town">{t} " · "</span>
                            })}
                            <span class="card-village">{card.village.clone()}</span>
                            {match returned {
                                Some(note) => {
                                    let reason = note.reason.clone().unwrap_or_default();
                                    let title = reason.clone();
                                    let declined = note.reason.is_some();
                                    view! {
                                        <span class="card-handler returned" data-testid="card-returned"
                                            title=title>
                                            {move || {
                                                let who = i18n::returned_by(&note.by, declined, lang.get());
                                                if reason.is_empty() { who } else { format!("{who}:{reason}") }
                                            }}
                                        </span>
                                    }.into_any()
                                }
                                None => {
                                    let title = cooperating.join("、");
                                    view! {
                                        <span class="card-handler" class:unassigned=unassigned
                                            data-testid="card-handler" title=title>
                                            {move || match &handler {
                                                Some(h) => i18n::handler_with(h, &cooperating, lang.get()),
                                                None => T::Unassigned.get(lang.get()).to_owned(),
                                            }}
                                        </span>
                                    }.into_any()
                                }
                            }}
                        </span>
                        // A reader of every town moves nothing: no menu to offer.
                        {(!read_only).then(|| view! {
                        <button
                            type="button"
                            class="move-btn"
                            data-testid="move-menu"
                            aria-haspopup="menu"
                            aria-label=move || format!("{} {}", T::MoveTo.get(lang.get()), menu_card.code)
                            disabled=pending
                            on:click={
                                let card = card.clone();
                                move |ev: ev::MouseEvent| menu::open(ctx, card.clone(), &ev)
                            }
                        >
                            {tr(T::MoveShort)}
                        </button>
                        })}
                    </div>
                </div>
                <Show when=pending>
                    <span class="card-saving" role="status">
                        <span class="spinner" aria-hidden="true"></span>
                        {tr(T::Saving)}
                    </span>
                </Show>
            </article>
        </div>
    }
}

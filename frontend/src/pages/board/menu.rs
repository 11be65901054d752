//! The "move to…" (移至…) menu of a card: the keyboard and touch way to move it. It lists the
//! commands the person may make now (archiving included), each with the column it leads to.
//! Arrow keys move between items, Escape closes and gives focus back to the card's button.

use std::sync::Arc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use shared::model::CaseCard;
use shared::workflow::{CommandKind, allowed_commands};
use wasm_bindgen::JsCast;

use super::BoardCtx;
use crate::i18n::{T, tr, use_lang};
use crate::logic::board::command_name;

/// The open menu: for which card, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuState {
    pub card: Arc<CaseCard>,
    pub commands: Vec<CommandKind>,
    pub x: f64,
    pub y: f64,
    /// Open upwards (the button is near the bottom of the window).
    pub up: bool,
}

const MENU_WIDTH: f64 = 260.0;

/// Opens the menu of `card` under the button that was clicked.
pub fn open(ctx: BoardCtx, card: Arc<CaseCard>, ev: &ev::MouseEvent) {
    ev.stop_propagation();
    if ctx
        .menu
        .with_untracked(|m| m.as_ref().is_some_and(|m| m.card.id == card.id))
    {
        ctx.menu.set(None);
        return;
    }
    let commands = ctx
        .facts(&card)
        .map(|(actor, facts)| allowed_commands(&actor, &facts))
        .unwrap_or_default();
    let (mut x, mut y, mut up) = (0.0, 0.0, false);
    if let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let r = el.get_bounding_client_rect();
        let win = window();
        let width = win
            .inner_width()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(1024.0);
        let height = win
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(768.0);
        x = (r.right() - MENU_WIDTH).clamp(8.0, (width - MENU_WIDTH - 8.0).max(8.0));
        let estimated = 60.0 + 48.0 * commands.len().max(1) as f64;
        up = r.bottom() + estimated > height && r.top() > estimated;
        y = if up {
            height - r.top() + 4.0
        } else {
            r.bottom() + 4.0
        };
    }
    ctx.menu.set(Some(MenuState {
        card,
        commands,
        x,
        y,
        up,
    }));
}

/// Gives focus back to the "move to…" button of a card, if it is on screen.
pub fn focus_card_menu(code: &str) {
    let selector = format!("[data-code=\"{code}\"] [data-testid=\"move-menu\"]");
    if let Ok(Some(el)) = document().query_selector(&selector)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

fn focus_item(list: &web_sys::Element, delta: i32) {
    let Ok(items) = list.query_selector_all("[role=menuitem]") else {
        return;
    };
    let n = items.length() as i32;
    if n == 0 {
        return;
    }
    let active = document().active_element();
    let mut current = -1;
    for i in 0..n {
        if let (Some(item), Some(active)) = (items.item(i as u32), active.as_ref())
            && item.is_same_node(Some(active))
        {
            current = i;
        }
    }
    let next = (current + delta).rem_euclid(n);
    if let Some(item) = items.item(next as u32)
        && let Ok(el) = item.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

/// The menu, when open.
#[component]
pub fn MoveMenu(ctx: BoardCtx) -> impl IntoView {
    let lang = use_lang();
    let list_ref = NodeRef::<html::Div>::new();

    // Focus the first item when the menu opens.
    Effect::new(move || {
        if ctx.menu.with(Option::is_some)
            && let Some(list) = list_ref.get()
        {
            request_animation_frame(move || focus_item(&list, 1));
        }
    });

    let close = move || {
        if let Some(m) = ctx.menu.get_untracked() {
            ctx.menu.set(None);
            focus_card_menu(&m.card.code);
        }
    };

    let on_keydown = move |ev: ev::KeyboardEvent| {
        let Some(list) = list_ref.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                focus_item(&list, 1);
            }
            "ArrowUp" => {
                ev.prevent_default();
                focus_item(&list, -1);
            }
            "Escape" => {
                ev.prevent_default();
                close();
            }
            "Tab" => close(),
            _ => {}
        }
    };

    move || {
        ctx.menu.get().map(|m| {
            // Set through the style object, not a style attribute: the Content-Security-Policy
            // allows no inline styles.
            let (top, bottom) = if m.up {
                ("auto".to_owned(), format!("{}px", m.y))
            } else {
                (format!("{}px", m.y), "auto".to_owned())
            };
            let from = m.card.stage;
            let items = if m.commands.is_empty() {
                view! { <p class="menu-empty" data-testid="move-none">{tr(T::NoMoves)}</p> }
                    .into_any()
            } else {
                m.commands
                    .iter()
                    .map(|kind| {
                        let kind = *kind;
                        let card = m.card.clone();
                        let (_, to) = kind.edge();
                        let testid = format!("move-{}", command_name(kind));
                        view! {
                            <button
                                type="button"
                                role="menuitem"
                                class="menu-item"
                                data-testid=testid
                                data-target=to.as_str()
                                data-command=command_name(kind)
                                on:click=move |_| ctx.start_move(&card, kind)
                            >
                                <span class="menu-item-to">{move || to.label(lang.get())}</span>
                                <span class="menu-item-cmd">{move || kind.label(lang.get())}</span>
                            </button>
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            view! {
                <div class="menu-backdrop" on:click=move |_| close()></div>
                <div
                    class="move-menu"
                    role="menu"
                    data-testid="move-menu-list"
                    data-code=m.card.code.clone()
                    data-from=from.as_str()
                    style:left=format!("{}px", m.x)
                    style:top=top
                    style:bottom=bottom
                    style:width=format!("{MENU_WIDTH}px")
                    node_ref=list_ref
                    on:keydown=on_keydown
                >
                    <div class="menu-title">
                        {tr(T::MoveMenuTitle)} " " <strong>{m.card.code.clone()}</strong>
                    </div>
                    {items}
                </div>
            }
        })
    }
}

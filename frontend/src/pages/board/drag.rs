//! Dragging cards between columns with pointer events, for mouse, pen and touch. A press on a
//! card with a mouse, on its handle with a finger or pen, or a **long press** anywhere on the
//! card with a finger or pen (`LONG_PRESS_MS` without moving) holds the card; past a small
//! threshold the drag starts: a ghost follows the pointer, the columns the card may go to
//! light up and the others dim. Releasing over an allowed column starts the move. A finger that
//! moves before the long press is up is a swipe: the card is let go and the column scrolls.
//! While a card is held by touch, the window's `touchmove` is cancelled (a listener that is not
//! passive), so the page neither scrolls nor navigates back under the finger. The window
//! listens for the pointer, so a card re-rendered during the drag cannot strand it.

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use shared::model::{CaseCard, Stage};
use shared::workflow::allowed_targets;
use wasm_bindgen::JsCast;
use web_sys::{Element, PointerEvent};

use super::BoardCtx;

/// How long a finger rests on a card before it is held for a drag.
pub const LONG_PRESS_MS: u64 = 450;
use crate::i18n::use_lang;
use crate::logic::board::{Rect, column_at, move_command, passes_drag_threshold};

/// A drag in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Drag {
    pub card: Arc<CaseCard>,
    pub pointer_id: i32,
    /// Where the pointer was pressed.
    pub start: (f64, f64),
    /// The pointer's offset inside the card, so the ghost does not jump.
    pub offset: (f64, f64),
    /// Where the pointer is now.
    pub pos: (f64, f64),
    /// The card's width, for the ghost.
    pub width: f64,
    /// Whether the card is held: at once for a mouse or the handle, after the long press for a
    /// finger or pen elsewhere on the card.
    pub held: bool,
    /// Held by a finger or pen (the card shows it is lifted before it moves).
    pub by_touch: bool,
    /// Whether the pointer moved far enough to be a drag (not a click).
    pub active: bool,
    /// Columns the card may be dropped on.
    pub targets: Vec<Stage>,
    /// The boxes of the columns, read when the drag started.
    pub columns: Vec<(Stage, Rect)>,
    /// The column under the pointer.
    pub over: Option<Stage>,
}

impl Drag {
    /// How a column looks during this drag: `source`, `allowed`, `over` or `dimmed`.
    pub fn column_state(&self, stage: Stage) -> &'static str {
        if stage == self.card.stage {
            "source"
        } else if self.targets.contains(&stage) {
            if self.over == Some(stage) {
                "over"
            } else {
                "allowed"
            }
        } else {
            "dimmed"
        }
    }
}

fn element_of(target: Option<web_sys::EventTarget>) -> Option<Element> {
    target.and_then(|t| t.dyn_into::<Element>().ok())
}

/// A press on a card: may begin a drag.
pub fn begin(ctx: BoardCtx, card: Arc<CaseCard>, ev: &PointerEvent) {
    if ev.button() != 0 || !ev.is_primary() || ctx.dialog.with_untracked(Option::is_some) {
        return;
    }
    let Some(target) = element_of(ev.target()) else {
        return;
    };
    // Buttons and menus on the card do their own thing.
    if target
        .closest("button, [data-no-drag]")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    // A finger or pen holds the card at once by its handle, elsewhere after a long press (so
    // that a swipe still scrolls the column).
    let on_handle = target.closest(".drag-handle").ok().flatten().is_some();
    let held = ev.pointer_type() == "mouse" || on_handle;
    if ctx.pending.with_untracked(|p| p.contains(&card.id)) {
        return;
    }
    let Some(card_el) = element_of(ev.current_target()) else {
        return;
    };
    let rect = card_el.get_bounding_client_rect();
    let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    if held {
        let _ = card_el.set_pointer_capture(ev.pointer_id());
    }
    if on_handle {
        ev.prevent_default();
    }
    let pointer_id = ev.pointer_id();
    if !held {
        set_timeout(
            move || hold_after_long_press(ctx, pointer_id),
            std::time::Duration::from_millis(LONG_PRESS_MS),
        );
    }
    ctx.drag.set(Some(Drag {
        card,
        pointer_id,
        start: (x, y),
        offset: (x - rect.left(), y - rect.top()),
        pos: (x, y),
        width: rect.width(),
        held,
        by_touch: ev.pointer_type() != "mouse",
        active: false,
        targets: Vec::new(),
        columns: Vec::new(),
        over: None,
    }));
}

/// The long press is up: if the finger is still down on the card and has not moved, the card
/// is held (with a short vibration where the device has one).
fn hold_after_long_press(ctx: BoardCtx, pointer_id: i32) {
    let mut now_held = false;
    ctx.drag.update(|d| {
        if let Some(d) = d
            && d.pointer_id == pointer_id
            && !d.held
        {
            d.held = true;
            now_held = true;
        }
    });
    if now_held {
        let _ = window().navigator().vibrate_with_duration(15);
    }
}

/// How near the board's side a dragged card scrolls it (a narrow screen shows two columns), and
/// by how much per move.
const EDGE_PX: f64 = 56.0;
const EDGE_STEP_PX: f64 = 40.0;

/// Scrolls the board sideways when the pointer is near its edge and it can scroll; whether it
/// did.
fn scroll_at_edge(ctx: BoardCtx, x: f64) -> bool {
    let Some(board) = ctx
        .columns
        .first()
        .and_then(|c| c.get_untracked())
        .and_then(|c| c.parent_element())
    else {
        return false;
    };
    if board.scroll_width() <= board.client_width() {
        return false;
    }
    let r = board.get_bounding_client_rect();
    let step = if x > r.right() - EDGE_PX {
        EDGE_STEP_PX
    } else if x < r.left() + EDGE_PX {
        -EDGE_STEP_PX
    } else {
        return false;
    };
    let before = board.scroll_left();
    board.set_scroll_left(before + step as i32);
    board.scroll_left() != before
}

fn column_rects(ctx: BoardCtx) -> Vec<(Stage, Rect)> {
    Stage::BOARD
        .iter()
        .zip(ctx.columns.iter())
        .filter_map(|(stage, node)| {
            let el = node.get_untracked()?;
            let r = el.get_bounding_client_rect();
            Some((
                *stage,
                Rect {
                    left: r.left(),
                    top: r.top(),
                    right: r.right(),
                    bottom: r.bottom(),
                },
            ))
        })
        .collect()
}

fn on_move(ctx: BoardCtx, ev: &PointerEvent) {
    let Some(drag) = ctx.drag.get_untracked() else {
        return;
    };
    if drag.pointer_id != ev.pointer_id() {
        return;
    }
    let pos = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    if !drag.active && !passes_drag_threshold(drag.start, pos) {
        return;
    }
    if !drag.held {
        // The finger moved before the long press: a swipe, which the column scrolls.
        ctx.drag.set(None);
        return;
    }
    ev.prevent_default();
    let scrolled = scroll_at_edge(ctx, pos.0);
    ctx.drag.update(|d| {
        let Some(d) = d else { return };
        if scrolled {
            d.columns = column_rects(ctx);
        }
        if !d.active {
            d.active = true;
            ctx.menu.set(None);
            d.targets = ctx
                .facts(&d.card)
                .map(|(actor, facts)| allowed_targets(&actor, &facts))
                .unwrap_or_default();
            d.columns = column_rects(ctx);
        }
        d.pos = pos;
        d.over = column_at(pos.0, pos.1, &d.columns);
    });
}

fn on_up(ctx: BoardCtx, ev: &PointerEvent) {
    let Some(drag) = ctx.drag.get_untracked() else {
        return;
    };
    if drag.pointer_id != ev.pointer_id() {
        return;
    }
    ctx.drag.set(None);
    if !drag.active {
        return;
    }
    // The click that follows a drag must not open the case.
    ctx.just_dragged.set(true);
    set_timeout(
        move || ctx.just_dragged.set(false),
        std::time::Duration::from_millis(50),
    );
    let pos = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    let Some(to) = column_at(pos.0, pos.1, &drag.columns) else {
        return;
    };
    if !drag.targets.contains(&to) {
        return;
    }
    let kind = ctx
        .facts(&drag.card)
        .and_then(|(actor, facts)| move_command(&actor, &facts, to));
    if let Some(kind) = kind {
        ctx.start_move(&drag.card, kind);
    }
}

/// Listens on the window for the pointer of a drag (and Escape to cancel it).
pub fn install_drag_listeners(ctx: BoardCtx) {
    let moved = window_event_listener(ev::pointermove, move |ev| on_move(ctx, &ev));
    let up = window_event_listener(ev::pointerup, move |ev| on_up(ctx, &ev));
    let cancel = window_event_listener(ev::pointercancel, move |ev| {
        if ctx
            .drag
            .with_untracked(|d| d.as_ref().is_some_and(|d| d.pointer_id == ev.pointer_id()))
        {
            ctx.drag.set(None);
        }
    });
    let escape = window_event_listener(ev::keydown, move |ev| {
        if ev.key() == "Escape" && ctx.drag.with_untracked(Option::is_some) {
            ctx.drag.set(None);
        }
    });
    // The long press's own menu (copy, share…) is not wanted on a card.
    let menu = window_event_listener(ev::contextmenu, move |ev| {
        if ctx.drag.with_untracked(Option::is_some) {
            ev.prevent_default();
        }
    });
    let touch = hold_touches(ctx);
    on_cleanup(move || {
        moved.remove();
        up.remove();
        cancel.remove();
        escape.remove();
        menu.remove();
        if let Some(touch) = touch {
            let (target, f) = touch.take();
            let _ =
                target.remove_event_listener_with_callback("touchmove", f.as_ref().unchecked_ref());
        }
    });
}

/// The window and its `touchmove` listener, to remove it again.
type TouchListener = (
    web_sys::Window,
    wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>,
);

/// A window listener for `touchmove` that is not passive: while a card is held by touch it
/// cancels the move, so the page does not scroll (or go back) under the finger.
fn hold_touches(ctx: BoardCtx) -> Option<SendWrapper<TouchListener>> {
    let f =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if ctx
                .drag
                .with_untracked(|d| d.as_ref().is_some_and(|d| d.held))
            {
                ev.prevent_default();
            }
        });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(false);
    let w = window();
    w.add_event_listener_with_callback_and_add_event_listener_options(
        "touchmove",
        f.as_ref().unchecked_ref(),
        &options,
    )
    .ok()?;
    Some(SendWrapper::new((w, f)))
}

/// The card's ghost under the pointer.
#[component]
pub fn DragGhost(ctx: BoardCtx) -> impl IntoView {
    let lang = use_lang();
    let ghost = Memo::new(move |_| {
        ctx.drag.with(|d| {
            d.as_ref()
                .filter(|d| d.active)
                .map(|d| (d.card.clone(), d.width, d.offset))
        })
    });
    let pos = move || {
        ctx.drag
            .with(|d| d.as_ref().map(|d| d.pos).unwrap_or_default())
    };
    move || {
        ghost.get().map(|(card, width, offset)| {
            let kind = card.kind;
            let category = card.category;
            view! {
                <div
                    class="drag-ghost"
                    data-testid="drag-ghost"
                    aria-hidden="true"
                    style:width=format!("{width}px")
                    style:transform=move || {
                        let (x, y) = pos();
                        format!("translate({}px, {}px) rotate(1.5deg)", x - offset.0, y - offset.1)
                    }
                >
                    <div class="card-top">
                        <span class="card-code">{card.code.clone()}</span>
                    </div>
                    <div class="card-summary">{card.summary.clone()}</div>
                    <div class="card-meta">
                        {move || format!("{} · {}", kind.label(lang.get()), category.label(lang.get()))}
                    </div>
                </div>
            }
        })
    }
}

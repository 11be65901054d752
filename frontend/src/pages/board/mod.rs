//! The case board (`/board`): four columns, one per stage of the closed loop, with filters kept
//! in the URL, virtualised columns, drag and drop with pointer events, a "move to…" menu on
//! every card, and the transition dialogs.

mod column;
mod drag;
pub(crate) mod filters;
mod menu;
mod views;

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Lang;
use shared::api::CaseFilter;
use shared::error::ErrorKind;
use shared::model::{CaseCard, Role, Stage};
use shared::workflow::{Actor, CaseFacts, Command, CommandKind};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::notice::{Notices, use_notices};
use crate::components::transition::{DialogEnd, DialogTarget, TransitionDialog, send_transition};
use crate::i18n::{self, T, tr, use_lang};
use crate::live::{LiveEvent, LiveStream};
use crate::logic::board::{
    LiveApplied, actor_of, apply_case, apply_live_card, column_counts, facts_of_card,
    newly_on_plate, on_plate,
};
use crate::logic::filter;
use crate::session::use_session;

use column::Column;
use drag::{Drag, DragGhost, install_drag_listeners};
use filters::FilterBar;
use menu::{MenuState, MoveMenu};
use views::ViewBar;

/// Height of one card's slot in a column (the card and the gap below it), in px. The CSS
/// (`--card-slot`) uses the same number.
pub const CARD_SLOT: f64 = 136.0;
/// Cards rendered above and below the visible ones.
pub const OVERSCAN: usize = 4;

/// Whether the board's data arrived.
#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Failed(api::Error),
    Ready,
}

/// Everything the board's pieces share.
#[derive(Clone, Copy)]
pub struct BoardCtx {
    /// Every card on the board, in no particular order (columns sort their own).
    pub cards: RwSignal<Vec<Arc<CaseCard>>>,
    /// The server's today, for the badges.
    pub today: RwSignal<NaiveDate>,
    /// The acting person.
    pub actor: Memo<Option<Actor>>,
    /// The drag in progress.
    pub drag: RwSignal<Option<Drag>>,
    /// Cards being saved.
    pub pending: RwSignal<Vec<i64>>,
    /// The open "move to…" menu.
    pub menu: RwSignal<Option<MenuState>>,
    /// The open transition dialog.
    pub dialog: RwSignal<Option<(DialogTarget, CommandKind)>>,
    /// The four columns' boxes, for finding the drop target.
    pub columns: [NodeRef<html::Section>; 4],
    /// Set right after a drag ends, so the click that follows does not open the case.
    pub just_dragged: RwSignal<bool>,
    /// Whether a filter is set (the empty state says so).
    pub filtered: Memo<bool>,
    /// The app's notices (kept here: handlers run outside the component tree).
    pub notices: Notices,
    /// The interface language.
    pub lang: RwSignal<Lang>,
    /// Cards someone else just moved, highlighted for a moment.
    pub arrived: RwSignal<Vec<i64>>,
    /// Whether the live stream is connected.
    pub live: RwSignal<bool>,
    /// Live cards held back while this person drags or saves them.
    pub deferred: RwSignal<Vec<CaseCard>>,
    /// Cases newly on this person's plate, not opened since (marked "new").
    pub fresh: RwSignal<Vec<i64>>,
    /// A card this person just moved: its column scrolls to it if it is out of sight.
    pub focus: RwSignal<Option<i64>>,
    /// The towns' names, for a board of every town (a county officer's): each card names its
    /// town. Empty on a town's own board.
    pub towns: RwSignal<Vec<(i64, String)>>,
}

impl BoardCtx {
    /// The name of a card's town on a board of every town (`None` on a town's own board).
    pub fn town_name(&self, town_id: i64) -> Option<String> {
        self.towns.with(|t| {
            t.iter()
                .find(|(id, _)| *id == town_id)
                .map(|(_, n)| n.clone())
        })
    }

    /// Highlights a card for a moment (someone else moved it, or this person's move sent it
    /// out of sight and its column scrolled to it).
    pub fn highlight(&self, id: i64) {
        let arrived = self.arrived;
        arrived.update(|a| a.push(id));
        set_timeout(
            move || {
                let _ = arrived.try_update(|a| a.retain(|x| *x != id));
            },
            std::time::Duration::from_millis(2400),
        );
    }

    /// Asks the column that now holds the card to bring it into sight; a request no column
    /// took (the card left the filtered board) lapses rather than wait for a later change.
    pub fn scroll_to(&self, id: i64) {
        let focus = self.focus;
        focus.set(Some(id));
        set_timeout(
            move || {
                let _ = focus.try_update(|f| {
                    if *f == Some(id) {
                        *f = None;
                    }
                });
            },
            std::time::Duration::from_millis(300),
        );
    }

    /// The state machine's view of a card.
    pub fn facts(&self, card: &CaseCard) -> Option<(Actor, CaseFacts)> {
        let actor = self.actor.get_untracked()?;
        Some((actor, facts_of_card(card, actor.town_id)))
    }

    /// Starts a move of `card` by `kind`: a dialog for moves that need data, else the request
    /// right away (the card moves at once and goes back if the server refuses).
    pub fn start_move(&self, card: &Arc<CaseCard>, kind: CommandKind) {
        self.menu.set(None);
        if kind.needs_data() {
            self.dialog.set(Some((DialogTarget::of_card(card), kind)));
        } else {
            self.send_direct(card, kind);
        }
    }

    fn send_direct(&self, card: &Arc<CaseCard>, kind: CommandKind) {
        let ctx = *self;
        let (notices, lang) = (self.notices, self.lang);
        let (_, to) = kind.edge();
        let original = card.clone();
        ctx.pending.update(|p| p.push(card.id));
        // Show the move at once, where the card now stands in its column.
        ctx.cards.update(|cards| {
            if let Some(c) = cards.iter_mut().find(|c| c.id == card.id) {
                let mut moved = (**c).clone();
                moved.stage = to;
                *c = Arc::new(moved);
            }
        });
        ctx.scroll_to(card.id);
        let target = DialogTarget::of_card(card);
        spawn_local(async move {
            let result = send_transition(&target, Command::Accept).await;
            ctx.pending.update(|p| p.retain(|id| *id != original.id));
            let l = lang.get_untracked();
            match result {
                Ok(case) => {
                    ctx.cards.update(|cards| {
                        apply_case(cards, &case);
                    });
                    notices.success(i18n::moved(&case.code, case.stage.label(l), l));
                }
                Err(err) => {
                    ctx.fail_move(&original, &err);
                }
            }
        });
    }

    /// A refused move: the card goes back (or shows the case as it now is, after a 409) and
    /// the server's explanation is shown.
    pub fn fail_move(&self, original: &Arc<CaseCard>, err: &api::Error) {
        let l = self.lang.get_untracked();
        match err.current_case() {
            Some(current) => {
                self.cards.update(|cards| {
                    if let Some(c) = cards.iter_mut().find(|c| c.id == original.id) {
                        *c = original.clone();
                    }
                    apply_case(cards, &current);
                });
            }
            None => {
                self.cards.update(|cards| {
                    if let Some(c) = cards.iter_mut().find(|c| c.id == original.id) {
                        *c = original.clone();
                    }
                });
            }
        }
        let link = (err.kind() == Some(ErrorKind::Conflict))
            .then(|| (format!("/cases/{}", original.id), T::ShowFresh));
        self.notices
            .error(format!("{} {}", original.code, err.message(l)), link);
    }

    /// The end of a transition dialog opened on the board.
    pub fn end_dialog(&self, end: DialogEnd) {
        let l = self.lang.get_untracked();
        let target = self.dialog.get_untracked();
        self.dialog.set(None);
        match end {
            DialogEnd::Cancelled => {}
            DialogEnd::Done(case) => {
                self.cards.update(|cards| {
                    apply_case(cards, &case);
                });
                self.scroll_to(case.id);
                self.notices
                    .success(i18n::moved(&case.code, case.stage.label(l), l));
            }
            DialogEnd::Stale(err) => {
                if let Some((ref target, _)) = target {
                    let original = self
                        .cards
                        .with_untracked(|cards| cards.iter().find(|c| c.id == target.id).cloned());
                    if let Some(original) = original {
                        self.fail_move(&original, &err);
                    }
                }
            }
        }
        if let Some((target, _)) = target {
            menu::focus_card_menu(&target.code);
        }
    }
}

/// One event of the live stream, on the board.
fn on_live(ctx: BoardCtx, event: LiveEvent, filtered: bool, reload: RwSignal<u32>) {
    match event {
        LiveEvent::Hello(_) => {}
        LiveEvent::Card(_, card) => {
            let id = card.id;
            let held = ctx.pending.with_untracked(|p| p.contains(&id))
                || ctx
                    .drag
                    .with_untracked(|d| d.as_ref().is_some_and(|d| d.card.id == id));
            if held {
                // Not yanked from under this person's hand: it goes in when they let go.
                ctx.deferred.update(|d| d.push(*card));
            } else {
                apply_live(ctx, *card, filtered);
            }
        }
        LiveEvent::Remove(_, id) => ctx.cards.update(|cards| cards.retain(|c| c.id != id)),
        LiveEvent::Reload => reload.update(|n| *n += 1),
    }
}

/// Puts a live card on the board; someone else's move is highlighted in its new column.
fn apply_live(ctx: BoardCtx, card: CaseCard, filtered: bool) {
    let id = card.id;
    let mut applied = LiveApplied::Ignored;
    let (mut fresh, mut still) = (false, true);
    ctx.cards.update(|cards| {
        let before = cards.iter().find(|c| c.id == id).cloned();
        if let Some(actor) = ctx.actor.get_untracked() {
            fresh = newly_on_plate(before.as_deref(), &card, &actor);
            still = on_plate(&card, &actor);
        }
        applied = apply_live_card(cards, card, filtered);
    });
    if applied != LiveApplied::Ignored {
        let marked = ctx.fresh.with_untracked(|f| f.contains(&id));
        if fresh && !marked {
            ctx.fresh.update(|f| f.push(id));
        } else if marked && !still {
            // Routed away, accepted by nobody, declined: no longer this person's news.
            ctx.fresh.update(|f| f.retain(|x| *x != id));
        }
    }
    if matches!(
        applied,
        LiveApplied::Updated { moved: true } | LiveApplied::Added
    ) {
        ctx.highlight(id);
    }
}

/// The board page.
#[component]
pub fn BoardPage() -> impl IntoView {
    let session = use_session();
    let lang = use_lang();
    let query = use_query_map();
    let navigate = use_navigate();
    // A mediator or a liaison opens on their own cases (an inbox, not the whole town) until
    // they choose another filter on this page.
    let touched = RwSignal::new(false);
    let filter = Memo::new(move |_| {
        let mut f = query.with(|q| filter::from_lookup(|k| q.get(k)));
        let handler = session.user.with(|u| {
            u.as_ref()
                .is_some_and(|u| matches!(u.role, Role::Mediator | Role::Liaison))
        });
        if handler && !touched.get() && filter::to_query(&f).is_empty() {
            f.mine = true;
        }
        f
    });

    let actor = Memo::new(move |_| session.user.with(|u| u.as_ref().map(actor_of)));
    let ctx = BoardCtx {
        cards: RwSignal::new(Vec::new()),
        today: RwSignal::new(crate::logic::time::today()),
        actor,
        drag: RwSignal::new(None),
        pending: RwSignal::new(Vec::new()),
        menu: RwSignal::new(None),
        dialog: RwSignal::new(None),
        columns: [
            NodeRef::new(),
            NodeRef::new(),
            NodeRef::new(),
            NodeRef::new(),
        ],
        just_dragged: RwSignal::new(false),
        filtered: Memo::new(move |_| filter.with(filter::is_filtered)),
        notices: use_notices(),
        lang,
        arrived: RwSignal::new(Vec::new()),
        live: RwSignal::new(false),
        deferred: RwSignal::new(Vec::new()),
        fresh: RwSignal::new(Vec::new()),
        focus: RwSignal::new(None),
        towns: RwSignal::new(Vec::new()),
    };
    provide_context(ctx);
    if actor
        .get_untracked()
        .is_some_and(|a| a.role.is_county_wide())
    {
        let towns = ctx.towns;
        spawn_local(async move {
            if let Ok(list) = api::towns().await {
                towns.set(list.into_iter().map(|t| (t.id, t.name)).collect());
            }
        });
    }
    install_drag_listeners(ctx);

    // Load the board whenever the filter changes; answers to older requests are dropped.
    let load = RwSignal::new(Load::Loading);
    let refreshing = RwSignal::new(false);
    let seq = StoredValue::new(0u64);
    let stream = StoredValue::new_local(None::<LiveStream>);
    on_cleanup(move || stream.set_value(None));
    let reload_requested = RwSignal::new(0u32);
    let reload = move |f: CaseFilter| {
        let n = seq.get_value() + 1;
        seq.set_value(n);
        if load.get_untracked() == Load::Ready {
            refreshing.set(true);
        } else {
            load.set(Load::Loading);
        }
        spawn_local(async move {
            // The "new" marks: not worth failing the board over; an answer for an older
            // load is dropped like the board's.
            if let Ok(new) = api::new_cases().await
                && seq.try_get_value() == Some(n)
            {
                let _ = ctx.fresh.try_set(new.cases);
            }
        });
        spawn_local(async move {
            let result = api::board(&f).await;
            if seq.try_get_value() != Some(n) {
                return;
            }
            refreshing.set(false);
            match result {
                Ok(board) => {
                    ctx.today.set(board.today);
                    ctx.cards
                        .set(board.cards.into_iter().map(Arc::new).collect());
                    load.set(Load::Ready);
                    // Follow the town from the revision this board was built at.
                    let filtered = filter::is_filtered(&f);
                    stream.set_value(None);
                    let opened = LiveStream::open(
                        Some(board.rev),
                        move |event| on_live(ctx, event, filtered, reload_requested),
                        move |up| ctx.live.set(up),
                    );
                    stream.set_value(opened);
                }
                Err(err) => load.set(Load::Failed(err)),
            }
        });
    };
    Effect::new(move || reload(filter.get()));
    // The stream said the board missed too much.
    Effect::new(move |prev: Option<u32>| {
        let n = reload_requested.get();
        if prev.is_some_and(|p| p != n) {
            reload(filter.get_untracked());
        }
        n
    });
    // Live cards held back during a drag or a save go in once it is over.
    Effect::new(move || {
        let idle = ctx.drag.with(Option::is_none) && ctx.pending.with(Vec::is_empty);
        if idle && ctx.deferred.with(|d| !d.is_empty()) {
            let held = ctx.deferred.try_update(std::mem::take).unwrap_or_default();
            for card in held {
                apply_live(ctx, card, filter::is_filtered(&filter.get_untracked()));
            }
        }
    });

    let set_filter = Callback::new(move |(f, replace): (CaseFilter, bool)| {
        touched.set(true);
        navigate(
            &filter::url("/board", &f),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let counts = Memo::new(move |_| ctx.cards.with(|c| column_counts(c)));
    let total = move || counts.with(|c| c.iter().sum::<usize>());
    let may_register = move || {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role.may_register()))
    };

    view! {
        <div class="board-page" data-testid="board-page">
            <div class="board-toolbar">
                <h1 class="page-title">{tr(T::BoardTitle)}</h1>
                <span class="board-total" data-testid="board-total">
                    {move || i18n::count_cases(total(), lang.get())}
                </span>
                <span class="board-refreshing" hidden=move || !refreshing.get()>
                    <span class="spinner" aria-hidden="true"></span>
                </span>
                <span class="live-state" data-testid="live-state" data-live=move || ctx.live.get().to_string()
                    role="status" class:off=move || !ctx.live.get()>
                    <span class="live-dot" aria-hidden="true"></span>
                    {move || if ctx.live.get() { T::LiveOn.get(lang.get()) } else { T::LiveOff.get(lang.get()) }}
                </span>
                <span class="spacer"></span>
                <button type="button" class="btn btn-secondary" data-testid="refresh-board"
                    on:click=move |_| reload(filter.get_untracked())>
                    {tr(T::Refresh)}
                </button>
                <Show when=may_register>
                    <a class="btn btn-primary" href="/cases/new" data-testid="board-register">{tr(T::NavRegister)}</a>
                </Show>
            </div>
            // The administrator handles no cases: the board says where their work is.
            <Show when=move || actor.with(|a| a.is_some_and(|a| a.role == Role::Admin))>
                <div class="notice-bar" role="note" data-testid="admin-guide">
                    <p>{move || lang.get().pick(
                        "系统管理员不办理案件,看板上没有案件。建立一个中心:先在“组织架构”建县、乡镇(含代码)、村、片、组(可用表格导入),填写中心信息、部门和默认期限;再在“账号”为它建中心负责人等账号。",
                        "The administrator handles no cases, so this board is empty. To set up a center: under Org tree, the county, its towns (with codes), villages, areas and groups (or import a sheet), the center, its departments and the default clocks; then its lead and others under Accounts.")}</p>
                    <p class="actions-row">
                        <a class="btn btn-primary btn-small" href="/admin/org" data-testid="guide-setup">
                            {move || lang.get().pick("组织架构", "Org tree")}</a>
                        <a class="btn btn-secondary btn-small" href="/admin/accounts">
                            {move || lang.get().pick("账号", "Accounts")}</a>
                    </p>
                </div>
            </Show>
            <ViewBar filter set_filter />
            <FilterBar filter set_filter />
            {move || match load.get() {
                Load::Loading => view! { <Loading /> }.into_any(),
                Load::Failed(err) => view! {
                    <ErrorBox error=err title=T::BoardLoadFailed
                        retry=Callback::new(move |_| reload(filter.get_untracked())) />
                }.into_any(),
                Load::Ready => view! {
                    <div class="board" data-testid="board" class:dragging=move || ctx.drag.with(|d| d.as_ref().is_some_and(|d| d.active))>
                        {Stage::BOARD
                            .iter()
                            .enumerate()
                            .map(|(i, stage)| view! { <Column stage=*stage index=i ctx count=Signal::derive(move || counts.with(|c| c[i])) /> })
                            .collect_view()}
                    </div>
                }.into_any(),
            }}
            <DragGhost ctx />
            <MoveMenu ctx />
            {move || ctx.dialog.get().map(|(target, kind)| view! {
                <TransitionDialog target kind on_end=Callback::new(move |end| ctx.end_dialog(end)) />
            })}
        </div>
    }
}

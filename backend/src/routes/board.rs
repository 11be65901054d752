//! The case board: every card of the user's town from registered to closed, sorted overdue
//! first, then by nearest due date.
//!
//! The board is read far more often than cases change, so each server keeps every town's
//! board built in memory, with its unfiltered JSON ready to send, valid while the town's
//! revision stays the same (see `state`: on PostgreSQL one small query per request, so a
//! board is never stale even when several servers share the database; on SQLite none).
//! Filters run over the cached cards. The unfiltered board is kept in two views — unmasked
//! for the center lead and clerks, masked (summaries redacted) for readers who see no
//! parties — each also gzipped at the best level, compressed once per version; mediators and
//! liaisons get their own cards unmasked and the rest masked, built per request. After a
//! change one request brings the board up to date while the others wait for it (single
//! flight): if every change since the cached board was a write through this server
//! (`AppState::commit_case_change` remembers which case), it reloads those cards alone and
//! puts the JSON together from each card's JSON made when it was loaded; otherwise (another
//! server wrote, a new day) it rebuilds the board from the database. Gzip is made in the
//! background, once per version.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use shared::ApiError;
use shared::api::{Board, CaseFilter, Q_MAX};
use shared::model::Role;
use shared::privacy::PartyView;
use shared::validate::Checker;

use crate::auth::CurrentUser;
use crate::db;
use crate::db::cases::CardEntry;
use crate::error::{AppError, AppQuery, AppResult, lang};
use crate::state::{AppState, BoardRef, TownBoard};

/// `/board`.
pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(board))
}

#[utoipa::path(
    get,
    path = "/api/board",
    tag = "cases",
    params(CaseFilter),
    responses(
        (status = 200, description = "The board's cards, overdue first, then by nearest due date; summaries redacted where the reader sees parties masked", body = Board),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn board(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    AppQuery(filter): AppQuery<CaseFilter>,
) -> AppResult<Response> {
    check_query(&filter)?;
    let today = state.config.today();
    if me.actor.role.is_county() {
        return county_board(&state, &me, &headers, &filter, today).await;
    }
    let built = town_board(&state, me.actor.town_id, today).await?;
    let unfiltered = CaseFilter {
        page: None,
        per_page: None,
        ..filter.clone()
    } == CaseFilter::default();
    let view = PartyView::of(me.actor.role);
    let ready = match view {
        PartyView::All => Some(built.view(false)),
        PartyView::Nothing => Some(built.view(true)),
        // Mediators and liaisons see their own cards unmasked and the others masked.
        PartyView::OwnCases => None,
    };
    if let Some(ready) = ready.filter(|_| unfiltered) {
        let town = me.actor.town_id;
        let rev = built.rev;
        let boards = Arc::clone(&state.boards);
        return Ok(ready_response(ready, &headers, move || {
            boards.is_current(town, rev)
        }));
    }
    filtered(&built, &me, &filter, today)
}

/// The cards of `built` that `filter` keeps, as `me` sees them.
fn filtered(
    built: &TownBoard,
    me: &CurrentUser,
    filter: &CaseFilter,
    today: NaiveDate,
) -> AppResult<Response> {
    let q = filter
        .q
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .unwrap_or_default();
    let cards = built
        .entries
        .iter()
        .filter(|e| e.readable_by(&me.actor) && e.matches(filter, &me.actor, today, &q))
        .map(|e| e.card_for(&me.actor))
        .collect();
    let body: Bytes = serde_json::to_vec(&BoardRef {
        today,
        rev: built.rev,
        cards,
    })
    .map_err(AppError::internal)?
    .into();
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// The unfiltered board's JSON, gzipped when the client takes it and it is ready (it is
/// compressed in the background, once per version, while `current` holds).
fn ready_response(
    ready: &Arc<crate::state::BoardJson>,
    headers: &HeaderMap,
    current: impl Fn() -> bool + Send + 'static,
) -> Response {
    let gzipped = accepts_gzip(headers)
        .then(|| ready.gzip_or_start(current))
        .flatten()
        .filter(|gz| !gz.is_empty());
    if let Some(gz) = gzipped {
        let headers = [
            (CONTENT_TYPE, "application/json"),
            (CONTENT_ENCODING, "gzip"),
            (VARY, "accept-encoding"),
        ];
        return (headers, gz).into_response();
    }
    (
        [
            (CONTENT_TYPE, "application/json"),
            (VARY, "accept-encoding"),
        ],
        ready.json.clone(),
    )
        .into_response()
}

/// The county's revision: the sum of every town's (it moves whenever a town's does).
pub(crate) async fn county_rev(state: &AppState) -> AppResult<i64> {
    let towns = {
        let mut conn = state.db.pool.acquire().await?;
        db::county::town_ids(&mut conn).await?
    };
    let mut rev = 0;
    for town in towns {
        rev += state.town_rev(town).await?;
    }
    Ok(rev)
}

/// The county board (a county officer's): every town's cards in one board, parties masked,
/// put together from the towns' cached boards and kept while no town changes. Its revision
/// is the sum of the towns' (see `routes::live`).
async fn county_board(
    state: &AppState,
    me: &CurrentUser,
    headers: &HeaderMap,
    filter: &CaseFilter,
    today: NaiveDate,
) -> AppResult<Response> {
    let towns = {
        let mut conn = state.db.pool.acquire().await?;
        db::county::town_ids(&mut conn).await?
    };
    let mut boards = Vec::with_capacity(towns.len());
    for &town in &towns {
        boards.push(town_board(state, town, today).await?);
    }
    let revs: Vec<(i64, i64)> = towns
        .iter()
        .zip(&boards)
        .map(|(t, b)| (*t, b.rev))
        .collect();
    let rev: i64 = boards.iter().map(|b| b.rev).sum();
    let merged = match state.boards.county(&revs, today) {
        Some(board) => board,
        None => {
            // Sorting every town's cards is CPU work: off the async threads.
            let entries: Vec<Arc<CardEntry>> = boards
                .iter()
                .flat_map(|b| b.entries.iter().cloned())
                .collect();
            let board = Arc::new(
                tokio::task::spawn_blocking(move || TownBoard::build(rev, today, entries)).await?,
            );
            state.boards.put_county(revs.clone(), Arc::clone(&board));
            board
        }
    };
    let unfiltered = CaseFilter {
        page: None,
        per_page: None,
        ..filter.clone()
    } == CaseFilter::default();
    // A county department's board is its line's cards: filtered like a liaison's.
    if unfiltered && me.actor.role == Role::CountyOfficer {
        let boards = Arc::clone(&state.boards);
        let ready = merged.view(true);
        return Ok(ready_response(ready, headers, move || {
            boards.county_is_current(&revs)
        }));
    }
    filtered(&merged, me, filter, today)
}

/// Refuses a free-text query longer than `shared::api::Q_MAX` characters (422 on `q`), and
/// the case list's own fields (period, result, rating, order: the board holds open cards
/// only, in its own order), each by name.
pub(crate) fn check_query(filter: &CaseFilter) -> AppResult<()> {
    let mut c = Checker::new(lang());
    if let Some(q) = &filter.q {
        c.max_len("q", q, Q_MAX);
    }
    for field in filter.list_only_fields() {
        c.fail(field, shared::api::not_on_the_board());
    }
    c.finish().map_err(AppError::fields)
}

/// Whether the client takes gzip (an `Accept-Encoding` naming it without `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut pieces = part.split(';').map(str::trim);
            let coding = pieces.next().unwrap_or("");
            let refused = pieces.any(|p| p.replace(' ', "") == "q=0" || p == "q=0.0");
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// The town's board, from the cache if the town has not changed since it was built. After a
/// change, one request rebuilds it and the others wait for that build (single flight).
pub(crate) async fn town_board(
    state: &AppState,
    town_id: i64,
    today: NaiveDate,
) -> AppResult<Arc<TownBoard>> {
    let rev = state.town_rev(town_id).await?;
    if let Some(board) = state.boards.get(town_id, rev, today) {
        return Ok(board);
    }
    let lock = state.boards.build_lock(town_id);
    let _building = lock.lock().await;
    // Built by the request we waited for?
    if let Some(board) = state.boards.get(town_id, rev, today) {
        return Ok(board);
    }
    // The revision is read again, before the cards: a write landing in between makes the
    // cards newer than the revision they are stored under, which only costs one more rebuild.
    let rev = state.town_rev(town_id).await?;
    // Only writes through this server since the cached board: patch their cards.
    let patch = state
        .boards
        .latest(town_id)
        .filter(|old| old.today == today && old.rev < rev)
        .and_then(|old| {
            let ids = state.boards.changes_between(town_id, old.rev, rev)?;
            Some((old, ids))
        });
    let board = match patch {
        Some((old, ids)) => {
            let fresh = {
                let mut conn = state.db.pool.acquire().await?;
                db::cases::board_entries_of(&mut conn, &ids).await?
            };
            let mut entries: Vec<Arc<CardEntry>> = old
                .entries
                .iter()
                .filter(|e| ids.binary_search(&e.card.id).is_err())
                .cloned()
                .collect();
            // A case transferred to another town leaves this board.
            entries.extend(
                fresh
                    .into_iter()
                    .filter(|e| e.card.town_id == town_id)
                    .map(Arc::new),
            );
            tokio::task::spawn_blocking(move || TownBoard::build(rev, today, entries)).await?
        }
        None => {
            let entries = {
                let mut conn = state.db.pool.acquire().await?;
                db::cases::board_entries(&mut conn, town_id).await?
            };
            // Sorting is CPU work: off the async threads.
            tokio::task::spawn_blocking(move || {
                TownBoard::build(rev, today, entries.into_iter().map(Arc::new).collect())
            })
            .await?
        }
    };
    let board = Arc::new(board);
    state.boards.put(town_id, Arc::clone(&board));
    Ok(board)
}

//! The case board: every card of the user's town from registered to closed, sorted overdue
//! first, then by nearest due date.
//!
//! The board is read far more often than cases change, so each server keeps every town's
//! board built in memory, with its unfiltered JSON ready to send, valid while the town's
//! revision stays the same (see `state`: on PostgreSQL one small query per request, so a
//! board is never stale even when several servers share the database; on SQLite none).
//! Filters run over the cached cards. The unfiltered board is also kept gzipped, compressed
//! once per version, for clients that accept it.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Serialize;
use shared::api::CaseFilter;
use shared::model::CaseCard;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppQuery, AppResult};
use crate::state::{AppState, TownBoard};

/// `/board`.
pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(board))
}

/// `shared::api::Board`, borrowing its cards.
#[derive(Serialize)]
struct BoardRef<'a> {
    today: NaiveDate,
    cards: Vec<&'a CaseCard>,
}

async fn board(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    AppQuery(filter): AppQuery<CaseFilter>,
) -> AppResult<Response> {
    let today = state.config.today();
    let built = town_board(&state, me.actor.town_id, today).await?;
    let unfiltered = CaseFilter {
        page: None,
        per_page: None,
        ..filter.clone()
    } == CaseFilter::default();
    if unfiltered && accepts_gzip(&headers) {
        let gzipped = built.gzipped();
        if !gzipped.is_empty() {
            let headers = [
                (CONTENT_TYPE, "application/json"),
                (CONTENT_ENCODING, "gzip"),
                (VARY, "accept-encoding"),
            ];
            return Ok((headers, gzipped).into_response());
        }
    }
    let body = if unfiltered {
        built.json.clone()
    } else {
        let q = filter
            .q
            .as_deref()
            .map(|q| q.trim().to_lowercase())
            .unwrap_or_default();
        let cards = built
            .entries
            .iter()
            .filter(|e| e.matches(&filter, &me.actor, today, &q))
            .map(|e| &e.card)
            .collect();
        serde_json::to_vec(&BoardRef { today, cards })
            .map_err(AppError::internal)?
            .into()
    };
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
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

/// The town's board, from the cache if the town has not changed since it was built.
async fn town_board(state: &AppState, town_id: i64, today: NaiveDate) -> AppResult<Arc<TownBoard>> {
    // The revision is read before the cards: a write landing in between makes the cards newer
    // than the revision they are stored under, which only costs one more rebuild.
    let rev = state.town_rev(town_id).await?;
    if let Some(board) = state.boards.get(town_id, rev, today) {
        return Ok(board);
    }
    let mut conn = state.db.pool.acquire().await?;
    let mut entries = db::cases::board_entries(&mut conn, town_id).await?;
    drop(conn);
    entries.sort_by_key(|e| {
        let c = &e.card;
        let overdue = c.stage.is_open() && c.due_on < today;
        (!overdue, c.due_on, c.id)
    });
    let json = serde_json::to_vec(&BoardRef {
        today,
        cards: entries.iter().map(|e| &e.card).collect(),
    })
    .map_err(AppError::internal)?;
    let board = Arc::new(TownBoard {
        rev,
        today,
        entries,
        json: json.into(),
        gzip: std::sync::OnceLock::new(),
    });
    state.boards.put(town_id, Arc::clone(&board));
    Ok(board)
}

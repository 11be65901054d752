//! The JSON API under `/api`, one module per area; each owns its `router()`. The endpoint table
//! is in `shared::api`.

pub mod accounts;
pub mod agreements;
pub mod auth;
pub mod board;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod county;
pub mod figures;
pub mod grid;
pub mod ledger;
pub mod live;
pub mod logs;
pub mod mediation;
pub mod meetings;
pub mod open311;
pub mod openapi;
pub mod org;
pub mod public;
pub mod receipts;
pub mod repeats;
pub mod roster;
pub mod setup;
pub mod supervision;
pub mod views;

use axum::Router;

use crate::error::{api_method_not_allowed, api_not_found};
use crate::state::AppState;

/// Every `/api` route (paths relative to `/api`); unknown paths and methods answer with the
/// error envelope.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(accounts::router())
        .merge(agreements::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(board::router())
        .merge(calendar::router())
        .merge(cases::router())
        .merge(clock::router())
        .merge(county::router())
        .merge(figures::router())
        .merge(grid::router())
        .merge(ledger::router())
        .merge(live::router())
        .merge(logs::router())
        .merge(mediation::router())
        .merge(meetings::router())
        .merge(open311::router())
        .merge(public::router())
        .merge(receipts::router())
        .merge(repeats::router())
        .merge(roster::router())
        .merge(setup::router())
        .merge(supervision::router())
        .merge(views::router())
        .merge(openapi::router())
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
}

/// Now, in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

//! The user's town: its org tree, its departments, and the handlers cases can be routed to.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shared::ApiError;
use shared::model::{Department, Handler, HandlerRef, OrgUnit};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

/// `/org`, `/departments`, `/handlers`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(org))
        .route("/departments", get(departments))
        .route("/handlers", get(handlers))
}

/// The user's town and everything below it; for the administrator (no town), every unit.
#[utoipa::path(
    get,
    path = "/api/org",
    tag = "org",
    responses(
        (status = 200, description = "The user's town: its villages, areas and groups", body = Vec<OrgUnit>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn org(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<Vec<OrgUnit>>> {
    let mut conn = state.db.pool.acquire().await?;
    let units = if me.user.town_id == 0 {
        db::org::all_units(&mut conn).await?
    } else {
        db::org::town_tree(&mut conn, me.user.town_id).await?
    };
    Ok(Json(units))
}

#[utoipa::path(
    get,
    path = "/api/departments",
    tag = "org",
    responses(
        (status = 200, description = "The town's departments and service rooms", body = Vec<Department>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn departments(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<Vec<Department>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        db::org::departments(&mut conn, me.user.town_id).await?,
    ))
}

/// The town's mediators, then its departments, each with how many open cases it handles.
#[utoipa::path(
    get,
    path = "/api/handlers",
    tag = "org",
    responses(
        (status = 200, description = "Who cases can be routed to, with their open cases", body = Vec<Handler>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn handlers(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<Vec<Handler>>> {
    let town = me.user.town_id;
    let mut conn = state.db.pool.acquire().await?;
    let counts = db::cases::open_counts(&mut conn, town).await?;
    let open = |h: HandlerRef| counts.iter().find(|(c, _)| *c == h).map_or(0, |(_, n)| *n);
    let mut out = Vec::new();
    for m in db::users::mediators(&mut conn, town).await? {
        let handler = HandlerRef::Mediator(m.id);
        out.push(Handler {
            handler,
            name: m.display_name,
            specialties: m.specialties,
            department_kind: None,
            open_cases: open(handler),
        });
    }
    for d in db::org::departments(&mut conn, town).await? {
        let handler = HandlerRef::Department(d.id);
        out.push(Handler {
            handler,
            name: d.name,
            specialties: Vec::new(),
            department_kind: Some(d.kind),
            open_cases: open(handler),
        });
    }
    Ok(Json(out))
}

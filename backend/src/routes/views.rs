//! The board's saved views (a person's own named filters; the ready-made ones are
//! `shared::model::BoardView`), and the "new" marks of the handler's inbox: the cases newly
//! put on a person's plate, until they open them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use shared::ApiError;
use shared::api::{NewCases, NewView, SavedView, SavedViews};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::now_ms;
use crate::state::AppState;

/// `/views`, `/views/{id}`, `/board/new`, `/cases/{id}/seen`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/views", get(views).post(save_view))
        .route("/views/{id}", delete(delete_view))
        .route("/board/new", get(new_cases))
        .route("/cases/{id}/seen", post(seen))
}

/// The signed-in person's saved board views.
#[utoipa::path(
    get,
    path = "/api/views",
    tag = "cases",
    responses(
        (status = 200, description = "The person's saved views, in the order they were saved", body = SavedViews),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn views(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<SavedViews>> {
    let mut conn = state.db.pool.acquire().await?;
    let views = db::views::list(&mut conn, me.user.id).await?;
    Ok(Json(SavedViews { views }))
}

/// Saves the board's filter as a named view of the signed-in person.
#[utoipa::path(
    post,
    path = "/api/views",
    tag = "cases",
    request_body = NewView,
    responses(
        (status = 201, description = "The view, saved", body = SavedView),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`name` missing, too long, on two lines, already one of the person's views, or the person has 20 views already; `filter` filters nothing; `filter.q` too long", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn save_view(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<NewView>,
) -> AppResult<(StatusCode, Json<SavedView>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    // Two saves at once: the second sees the first's view (its name, the count).
    db::views::lock_person(conn, me.user.id).await?;
    let existing = db::views::list(conn, me.user.id).await?;
    req.check(&existing, lang).map_err(AppError::fields)?;
    let name = req.name.trim().to_owned();
    let filter = req.filter.stored();
    let id = db::views::insert(conn, me.user.id, &name, &filter, now_ms()).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(SavedView { id, name, filter })))
}

/// Deletes one of the signed-in person's saved views.
#[utoipa::path(
    delete,
    path = "/api/views/{id}",
    tag = "cases",
    params(("id" = i64, Path, description = "The view's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 404, description = "No such view of this person", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn delete_view(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<StatusCode> {
    let mut w = state.db.single_write().await?;
    if !db::views::delete(&mut w.conn, me.user.id, id).await? {
        return Err(AppError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The cases newly put on the signed-in person's plate that they have not opened since.
#[utoipa::path(
    get,
    path = "/api/board/new",
    tag = "cases",
    responses(
        (status = 200, description = "Cases routed to this person (still theirs), or returned to the center (still registered), with an unread notification saying so", body = NewCases),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn new_cases(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<NewCases>> {
    let mut conn = state.db.pool.acquire().await?;
    let cases = db::views::new_cases(&mut conn, &me.actor).await?;
    Ok(Json(NewCases { cases }))
}

/// The signed-in person opened the case: their notifications of it are read, and it is no
/// longer marked new on their board.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/seen",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 204, description = "Marked seen (or there was nothing unread)"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn seen(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<StatusCode> {
    // The cached case answers who may read it (a 404 otherwise), without a query.
    super::cases::visible_case(&state, &me.actor, id).await?;
    let mut w = state.db.single_write().await?;
    db::views::mark_case_seen(&mut w.conn, me.user.id, id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Supervision (督办): the lead's urgings and their acknowledgement, and each person's
//! notifications.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::api::{NewUrging, NotificationList};
use shared::model::{EventKind, NotificationKind, Stage, Urging};
use shared::workflow::Act;
use shared::{ApiError, FieldError, Reason};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::clock::{case_for_act, event};
use crate::routes::now_ms;
use crate::state::AppState;

/// `/cases/{id}/urgings`, `/cases/{id}/urgings/{urging}/acknowledge`, `/notifications`,
/// `/notifications/read`, `/notifications/{id}/read`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/urgings", post(urge))
        .route(
            "/cases/{id}/urgings/{urging}/acknowledge",
            post(acknowledge),
        )
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
}

/// Two numeric ids in the path; anything else is a 404.
#[derive(Debug, Clone, Copy)]
pub struct TwoIds(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TwoIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Path((a, b)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::not_found())?;
        match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(a), Ok(b)) if a > 0 && b > 0 => Ok(TwoIds(a, b)),
            _ => Err(AppError::not_found()),
        }
    }
}

/// Urges the handler of a case (督办单): the center lead only, on a case a handler holds.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/urgings",
    tag = "supervision",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewUrging,
    responses(
        (status = 201, description = "The urging as recorded", body = Urging),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead urges, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`what`, `due_on`), or the case has no handler to urge", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn urge(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewUrging>,
) -> AppResult<(StatusCode, Json<Urging>)> {
    let today = state.config.today();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Urge, lang).await?;
    if !matches!(facts.stage, Stage::Routed | Stage::InHandling) || facts.handler.is_none() {
        let reason = Reason::Other {
            zh: "只能督办已分流、正在办理的案件。".into(),
            en: "Only a case routed to a handler and not yet closed can be urged.".into(),
        };
        return Err(AppError::fields(vec![FieldError::new(
            "stage", reason, lang,
        )]));
    }
    req.check(today, lang).map_err(AppError::fields)?;
    let now = now_ms();
    let what = req.what.trim();
    let urging_id =
        db::supervision::insert_urging(conn, id, me.user.id, now, what, req.due_on).await?;
    let due = req.due_on.format("%Y-%m-%d").to_string();
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::Urged,
            Some(what),
            vec![("due_on".into(), due.clone())],
        ),
    )
    .await?;
    let mut people = Vec::new();
    for unit in facts.handler.iter() {
        people.extend(db::supervision::people_of(conn, *unit).await?);
    }
    db::supervision::notify(conn, &people, Some(id), NotificationKind::Urged, &due, now).await?;
    let urging = db::supervision::urgings(conn, id)
        .await?
        .into_iter()
        .find(|u| u.id == urging_id)
        .ok_or_else(|| AppError::internal("the urging just written is missing"))?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok((StatusCode::CREATED, Json(urging)))
}

/// The handler acknowledges an urging.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/urgings/{urging}/acknowledge",
    tag = "supervision",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("urging" = i64, Path, description = "The urging's id"),
    ),
    responses(
        (status = 200, description = "The urging, acknowledged", body = Urging),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler acknowledges, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case or urging, or not visible to this user", body = ApiError),
        (status = 409, description = "Acknowledged already", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    TwoIds(id, urging_id): TwoIds,
) -> AppResult<Json<Urging>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, _) = case_for_act(conn, &me, id, Act::Acknowledge, lang).await?;
    if !db::supervision::urging_exists(conn, id, urging_id).await? {
        return Err(AppError::not_found());
    }
    let now = now_ms();
    if !db::supervision::acknowledge_urging(conn, id, urging_id, me.user.id, now).await? {
        return Err(ApiError::new(shared::ErrorKind::Conflict, lang)
            .with_message(lang.pick("该督办已确认。", "This urging was acknowledged already."))
            .into());
    }
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::UrgingAcknowledged,
            None,
            Vec::new(),
        ),
    )
    .await?;
    let leads = db::supervision::leads_of(conn, row.town_id).await?;
    let kind = NotificationKind::UrgingAcknowledged;
    db::supervision::notify(conn, &leads, Some(id), kind, me.name(), now).await?;
    let urging = db::supervision::urgings(conn, id)
        .await?
        .into_iter()
        .find(|u| u.id == urging_id)
        .ok_or_else(AppError::not_found)?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok(Json(urging))
}

/// How many notifications the list shows.
const NOTIFICATIONS_SHOWN: i64 = 50;

/// The signed-in person's newest notifications and the unread count.
#[utoipa::path(
    get,
    path = "/api/notifications",
    tag = "supervision",
    responses(
        (status = 200, description = "The newest 50 notifications, newest first, and how many are unread", body = NotificationList),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn notifications(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<NotificationList>> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, unread) =
        db::supervision::notifications_of(&mut conn, me.user.id, NOTIFICATIONS_SHOWN).await?;
    Ok(Json(NotificationList { items, unread }))
}

/// Marks every notification of the signed-in person read.
#[utoipa::path(
    post,
    path = "/api/notifications/read",
    tag = "supervision",
    responses(
        (status = 204, description = "All marked read"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read_all(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<StatusCode> {
    let mut w = state.db.single_write().await?;
    db::supervision::mark_read(&mut w.conn, me.user.id, None, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one notification read.
#[utoipa::path(
    post,
    path = "/api/notifications/{id}/read",
    tag = "supervision",
    params(("id" = i64, Path, description = "The notification's id")),
    responses(
        (status = 204, description = "Marked read (or it was already)"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 404, description = "No such notification of this person", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read_one(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<StatusCode> {
    let mut w = state.db.single_write().await?;
    if !db::supervision::notification_exists(&mut w.conn, me.user.id, id).await? {
        return Err(AppError::not_found());
    }
    db::supervision::mark_read(&mut w.conn, me.user.id, Some(id), now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

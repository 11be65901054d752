//! The administrator's Open311 clients: each client program (a county hotline, a city app) gets
//! its own API key, shown once when issued and kept only as its SHA-256; a key can be revoked at
//! any time, after which the client's posts are refused with 403. The protocol itself is
//! `crate::open311`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::api::{IssueOpen311Client, IssuedOpen311Client, Open311Client};
use shared::model::Role;
use shared::validate::check_open311_client;
use shared::{ApiError, ErrorKind, Lang};

use super::now_ms;
use crate::auth::{CurrentUser, new_token, token_hash};
use crate::db;
use crate::db::open311::NewClient;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::state::AppState;

/// `/admin/open311-clients…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/open311-clients", get(clients).post(issue))
        .route("/admin/open311-clients/{id}/revoke", post(revoke))
}

/// Only the administrator manages API keys.
fn admin_only(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    if me.user.role == Role::Admin {
        return Ok(());
    }
    Err(ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "只有系统管理员可以管理 Open311 对接系统的密钥。",
            "Only the administrator manages the Open311 clients' keys.",
        ))
        .into())
}

#[utoipa::path(
    get,
    path = "/api/admin/open311-clients",
    tag = "admin",
    responses(
        (status = 200, description = "Every Open311 client, newest first (keys are never shown again)", body = Vec<Open311Client>),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Only the administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn clients(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<Open311Client>>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(db::open311::clients(&mut conn).await?))
}

#[utoipa::path(
    post,
    path = "/api/admin/open311-clients",
    tag = "admin",
    request_body = IssueOpen311Client,
    responses(
        (status = 201, description = "Issued: the client with its API key, shown this once", body = IssuedOpen311Client),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn issue(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<IssueOpen311Client>,
) -> AppResult<(StatusCode, Json<IssuedOpen311Client>)> {
    admin_only(&me, lang)?;
    check_open311_client(&req, lang).map_err(AppError::fields)?;
    // 64 hex characters of randomness, kept only as their hash (as session tokens are).
    let (secret, _) = new_token();
    let api_key = format!("c311_{secret}");
    let key_hash = token_hash(&api_key);
    let key_hint: String = api_key.chars().take(9).collect();
    let mut wtx = state.db.begin_write().await?;
    let id = db::open311::insert_client(
        &mut wtx.tx,
        &NewClient {
            name: req.name.trim(),
            key_hash: &key_hash,
            key_hint: &key_hint,
            batch: req.batch,
            created_by: me.user.id,
        },
        now_ms(),
    )
    .await?;
    let client = db::open311::client(&mut wtx.tx, id)
        .await?
        .ok_or_else(|| AppError::internal("the new client vanished"))?;
    wtx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedOpen311Client { client, api_key }),
    ))
}

#[utoipa::path(
    post,
    path = "/api/admin/open311-clients/{id}/revoke",
    tag = "admin",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "Revoked (or revoked already): the client as it is now", body = Open311Client),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such client", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Open311Client>> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    if !db::open311::revoke(&mut wtx.tx, id, now_ms()).await? {
        return Err(AppError::not_found());
    }
    let client = db::open311::client(&mut wtx.tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    wtx.commit().await?;
    Ok(Json(client))
}

//! Sign-in, sign-out and "who am I".
//!
//! Sign-in is throttled: after `login_max_failures` failed attempts for one username from one
//! address (or `login_ip_max_failures` from one address in all) within `login_window`, further
//! attempts answer 429 until the window has passed. Failures are stored in the database, so
//! the limit holds across servers.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::api::LoginRequest;
use shared::model::UserInfo;
use shared::{ApiError, ErrorKind, FieldError, Reason};

use super::now_ms;
use crate::auth::{
    ClientIp, CurrentUser, clear_cookie, hash_password_blocking, new_token, session_cookie,
    verify_password,
};
use crate::db;
use crate::error::{AppError, AppJson, AppResult, RequestLang};
use crate::state::AppState;

/// `/auth/login`, `/auth/logout`, `/me`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

/// A hash to verify against when the username is unknown, so both cases take as long.
fn dummy_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password_blocking("concord-dummy-password").unwrap_or_default())
        .clone()
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequestLang(lang): RequestLang,
    AppJson(req): AppJson<LoginRequest>,
) -> AppResult<Response> {
    let username = req.username.trim().to_owned();
    let mut missing = Vec::new();
    if username.is_empty() {
        missing.push(FieldError::new("username", Reason::Required, lang));
    }
    if req.password.is_empty() {
        missing.push(FieldError::new("password", Reason::Required, lang));
    }
    if !missing.is_empty() {
        return Err(AppError::fields(missing));
    }
    let ip = ip.to_string();
    let now = now_ms();
    let window_ms = i64::try_from(state.config.login_window.as_millis()).unwrap_or(i64::MAX);
    let user = {
        let mut conn = state.db.pool.acquire().await?;
        let (pair, from_ip) =
            db::sessions::recent_failures(&mut conn, &username, &ip, now - window_ms).await?;
        if pair >= i64::from(state.config.login_max_failures)
            || from_ip >= i64::from(state.config.login_ip_max_failures)
        {
            return Err(AppError::kind(ErrorKind::RateLimited));
        }
        db::users::by_username(&mut conn, &username).await?
    };
    let user = user.filter(|u| u.active == 1);
    let ok = match &user {
        Some(u) => verify_password(req.password, u.password_hash.clone()).await?,
        None => {
            let hash = tokio::task::spawn_blocking(dummy_hash).await?;
            verify_password(req.password, hash).await?;
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        let mut wtx = state.db.begin_write().await?;
        db::sessions::record_failure(&mut wtx.tx, &username, &ip, now).await?;
        wtx.commit().await?;
        let reason = Reason::BadCredentials;
        return Err(ApiError::new(ErrorKind::Unauthorized, lang)
            .with_message(reason.message(lang))
            .into());
    };
    let info: UserInfo = user.info()?;
    let (token, hash) = new_token();
    let ttl = state.config.session_ttl;
    let expires = now + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
    let mut wtx = state.db.begin_write().await?;
    db::sessions::clear_failures(&mut wtx.tx, &username, &ip).await?;
    db::sessions::prune(&mut wtx.tx, now, now - window_ms).await?;
    db::sessions::insert(&mut wtx.tx, &hash, user.id, now, expires).await?;
    wtx.commit().await?;
    let cookie = session_cookie(&token, ttl.as_secs(), state.config.cookie_secure);
    Ok(([(SET_COOKIE, cookie)], Json(info)).into_response())
}

async fn logout(State(state): State<AppState>, me: CurrentUser) -> AppResult<Response> {
    let mut wtx = state.db.begin_write().await?;
    db::sessions::delete(&mut wtx.tx, &me.token_hash).await?;
    wtx.commit().await?;
    state.sessions.remove(&me.token_hash);
    let cookie = clear_cookie(state.config.cookie_secure);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

async fn me(me: CurrentUser) -> Json<UserInfo> {
    Json(me.user)
}

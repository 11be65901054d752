//! Sign-in, sign-out and "who am I".
//!
//! Sign-in is throttled: after `login_max_failures` failed attempts for one username from one
//! address (or `login_ip_max_failures` from one address in all) within `login_window`, further
//! attempts answer 429 until the window has passed. Each attempt is counted in memory before
//! its password is checked (`limits`), so simultaneous guesses cannot slip past the limit;
//! failures are also stored in the database, so the limit holds across servers. Password
//! checks run on the bounded hasher (`hasher`): when it is full, 429 at once.

use std::sync::OnceLock;
use std::time::Duration;

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
};
use crate::db;
use crate::error::{AppError, AppJson, AppResult, RequestLang, lang};
use crate::hasher::HashError;
use crate::limits::AttemptLimiter;
use crate::state::AppState;

/// `/auth/login`, `/auth/logout`, `/me`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

/// A hash to verify against when the username is unknown, so both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password_blocking("concord-dummy-password").unwrap_or_default())
}

/// The 429 answer, saying when to try again.
pub(crate) fn rate_limited(wait: Duration) -> AppError {
    ApiError::new(ErrorKind::RateLimited, lang())
        .with_retry_after(wait.as_secs() + 1)
        .into()
}

/// The 429 answer when every hashing thread is busy and the queue is full.
fn busy() -> AppError {
    ApiError::new(ErrorKind::RateLimited, lang())
        .with_message(lang().pick(
            "登录的人太多,请几秒后再试。",
            "Too many sign-ins at once; please try again in a few seconds.",
        ))
        .with_retry_after(1)
        .into()
}

#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = UserInfo, headers(("set-cookie" = String, description = "concord_session, HttpOnly, SameSite=Lax"))),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 429, description = "Too many attempts, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn login(
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
    let user_key = format!("{username}\n{ip}");
    let limits = &state.limits;
    // Counted before it is checked: attempts arriving together cannot all pass the limit.
    let attempt = AttemptLimiter::begin(&[
        (&limits.login_user, user_key.clone()),
        (&limits.login_ip, ip.clone()),
    ])
    .map_err(rate_limited)?;
    // A place in the hasher first: when it is full, nothing else is done for this attempt.
    let Some(permit) = state.hasher.try_reserve() else {
        attempt.release();
        return Err(busy());
    };
    let now = now_ms();
    let window_ms = i64::try_from(state.config.login_window.as_millis()).unwrap_or(i64::MAX);
    let user = {
        let mut conn = state.db.pool.acquire().await?;
        // Failures recorded by other servers sharing the database count too.
        let (pair, from_ip) =
            db::sessions::recent_failures(&mut conn, &username, &ip, now - window_ms).await?;
        if pair >= i64::from(state.config.login_max_failures)
            || from_ip >= i64::from(state.config.login_ip_max_failures)
        {
            attempt.release();
            return Err(rate_limited(state.config.login_window));
        }
        db::users::by_username(&mut conn, &username).await?
    };
    let user = user.filter(|u| u.active == 1);
    let stored = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let checked = state.hasher.verify(req.password, stored).await;
    drop(permit);
    let ok = match checked {
        Ok(ok) => ok && user.is_some(),
        Err(HashError::Busy) => {
            // Not checked, so not counted.
            attempt.release();
            return Err(busy());
        }
        Err(HashError::Failed(e)) => return Err(AppError::internal(e)),
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
    attempt.release();
    limits.login_user.clear(&user_key);
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

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out: the session ended and its cookie is cleared"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn logout(State(state): State<AppState>, me: CurrentUser) -> AppResult<Response> {
    let mut wtx = state.db.begin_write().await?;
    db::sessions::delete(&mut wtx.tx, &me.token_hash).await?;
    wtx.commit().await?;
    state.sessions.remove(&me.token_hash);
    let cookie = clear_cookie(state.config.cookie_secure);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

#[utoipa::path(
    get,
    path = "/api/me",
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = UserInfo),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn me(me: CurrentUser) -> Json<UserInfo> {
    Json(me.user)
}

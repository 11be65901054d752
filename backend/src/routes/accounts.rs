//! Accounts and passwords. The administrator lists, creates, edits and deactivates accounts
//! (never deletes: the history keeps the name) and resets passwords (`/admin/accounts`); a new
//! or reset password is made by the server, shown once, and must be changed at the next
//! sign-in (until then `CurrentUser` lets the person do nothing else); a reset ends the
//! person's sessions. Everyone changes their own password (`/me/password`: the current one
//! checked, throttled like sign-in; the other sessions end). Every change is in the audit log
//! (`/admin/audit`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rand::Rng;
use shared::admin::{
    AUDIT_PAGE, Account, AccountForm, Accounts, AuditLog, AuditQuery, ChangePassword,
    DepartmentRef, IssuedPassword,
};
use shared::model::{OrgLevel, Role, UserInfo};
use shared::validate::Checker;
use shared::{ApiError, ErrorKind, Lang, Reason};
use sqlx::AnyConnection;

use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang};
use crate::hasher::HashError;
use crate::limits::AttemptLimiter;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(accounts).post(create))
        .route("/admin/accounts/{id}", put(update))
        .route("/admin/accounts/{id}/reset-password", post(reset_password))
        .route("/admin/audit", get(audit))
        .route("/me/password", post(change_password))
}

fn admin_only(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    crate::auth::admin_only(
        me,
        lang,
        (
            "只有系统管理员可以管理账号。",
            "Only the administrator manages accounts.",
        ),
    )
}

/// A one-time password: 12 letters and digits that cannot be mistaken for one another.
fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

async fn hash(state: &AppState, password: String) -> AppResult<String> {
    match state.hasher.hash(password).await {
        Ok(h) => Ok(h),
        Err(HashError::Busy) => Err(ApiError::new(ErrorKind::RateLimited, crate::error::lang())
            .with_retry_after(1)
            .into()),
        Err(HashError::Failed(e)) => Err(AppError::internal(e)),
    }
}

/// The form's town, department and unit against the org tree, each refused by name.
async fn check_place(conn: &mut AnyConnection, f: &AccountForm, lang: Lang) -> AppResult<()> {
    let mut c = Checker::new(lang);
    let Some(town) = f.town_id else {
        return Ok(());
    };
    let is_town = db::org::all_units(&mut *conn)
        .await?
        .iter()
        .any(|u| u.id == town && u.level == OrgLevel::Town);
    if !is_town {
        c.fail("town_id", Reason::NoSuchItem);
        return c.finish().map_err(AppError::fields);
    }
    if let Some(dept) = f.department_id
        && !db::org::departments(&mut *conn, town)
            .await?
            .iter()
            .any(|d| d.id == dept)
    {
        c.fail("department_id", Reason::NoSuchItem);
    }
    if let Some(unit) = f.org_unit_id {
        let level = db::grid::unit_of_town(&mut *conn, town, unit)
            .await?
            .map(|(level, _)| level);
        let fits = match f.role {
            Role::TownLeader | Role::Mediator => level == Some(OrgLevel::Village),
            Role::GridWorker => matches!(level, Some(OrgLevel::Area | OrgLevel::Group)),
            _ => false,
        };
        if !fits {
            c.fail(
                "org_unit_id",
                Reason::Other {
                    zh: "包村领导和调解员对应本镇的村(社区),网格员对应本镇的片或组。".to_owned(),
                    en: "A town leader or mediator goes with a village of the town, a grid worker with an area or group of it.".to_owned(),
                },
            );
        }
    }
    c.finish().map_err(AppError::fields)
}

/// The fields of `after` that differ from `before`, as two JSON objects.
fn changes(before: &Account, after: &Account) -> (String, String) {
    let (b, a) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let mut was = serde_json::Map::new();
    let mut now = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                was.insert(k.clone(), b.get(k).cloned().unwrap_or_default());
                now.insert(k.clone(), v.clone());
            }
        }
    }
    (
        serde_json::Value::Object(was).to_string(),
        serde_json::Value::Object(now).to_string(),
    )
}

fn json_of(a: &Account) -> String {
    serde_json::to_string(a).unwrap_or_default()
}

/// Every account.
#[utoipa::path(
    get,
    path = "/api/admin/accounts",
    tag = "admin",
    responses(
        (status = 200, description = "Every account of the deployment (the server's own excepted), by town, role and username; active or not", body = Accounts),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages accounts", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn accounts(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Accounts>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    let mut departments = Vec::new();
    for town in db::org::all_units(&mut conn)
        .await?
        .into_iter()
        .filter(|u| u.level == OrgLevel::Town)
    {
        for d in db::org::departments(&mut conn, town.id).await? {
            departments.push(DepartmentRef {
                id: d.id,
                town_id: town.id,
                name: d.name,
            });
        }
    }
    Ok(Json(Accounts {
        items: db::accounts::all(&mut conn).await?,
        departments,
    }))
}

/// Creates an account with a one-time password.
#[utoipa::path(
    post,
    path = "/api/admin/accounts",
    tag = "admin",
    request_body = AccountForm,
    responses(
        (status = 201, description = "Created; the one-time password, shown this once, must be changed at the first sign-in", body = IssuedPassword),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages accounts, or the request came from another site", body = ApiError),
        (status = 422, description = "Fields refused by name: `username` (its form, or taken), `display_name`, `town_id` (needed but for an administrator; no such town), `department_id` (a liaison's; of the town), `org_unit_id` (a village for a town leader or mediator, an area or group for a grid worker)", body = ApiError),
        (status = 429, description = "The server is busy hashing: try again in a second", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(form): AppJson<AccountForm>,
) -> AppResult<(StatusCode, Json<IssuedPassword>)> {
    admin_only(&me, lang)?;
    form.check(true, lang).map_err(AppError::fields)?;
    let password = one_time_password();
    let hashed = hash(&state, password.clone()).await?;
    let now = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let username = form.username.trim();
    if db::accounts::username_taken(conn, username).await? {
        return Err(ApiError::field("username", Reason::Duplicate, lang).into());
    }
    check_place(conn, &form, lang).await?;
    let id = db::users::insert(
        conn,
        &db::users::NewUser {
            username,
            password_hash: &hashed,
            display_name: form.display_name.trim(),
            role: form.role,
            town_id: form.town_id,
            department_id: form.department_id,
            org_unit_id: form.org_unit_id,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        // Another request took the username meanwhile (two at once on PostgreSQL).
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            ApiError::field("username", Reason::Duplicate, lang).into()
        }
        other => AppError::from(other),
    })?;
    db::accounts::set_password(conn, id, &hashed, true, now).await?;
    if !form.line.is_empty() {
        db::users::set_line(conn, id, &form.line).await?;
    }
    if !form.active {
        db::accounts::update(conn, id, &form).await?;
    }
    let account = db::accounts::one(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the new account vanished"))?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("account.create", username),
        ("", &json_of(&account)),
        now,
    )
    .await?;
    wtx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPassword { account, password }),
    ))
}

/// Changes an account: name, role, town, department, unit, active.
#[utoipa::path(
    put,
    path = "/api/admin/accounts/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The account's id")),
    request_body = AccountForm,
    responses(
        (status = 200, description = "Changed (the username stays); a deactivated account's sessions end at once", body = Account),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages accounts, or the request came from another site", body = ApiError),
        (status = 404, description = "No such account", body = ApiError),
        (status = 422, description = "Fields refused by name, as when creating; `active` or `role` when it would leave no active administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<AccountForm>,
) -> AppResult<Json<Account>> {
    admin_only(&me, lang)?;
    form.check(false, lang).map_err(AppError::fields)?;
    let now = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let before = db::accounts::one(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    check_place(conn, &form, lang).await?;
    // Someone must be left to administer.
    let stays_admin = form.role == Role::Admin && form.active;
    if before.role == Role::Admin
        && before.active
        && !stays_admin
        && db::accounts::other_active_admins(conn, id).await? == 0
    {
        let field = if form.active { "role" } else { "active" };
        return Err(ApiError::field(
            field,
            Reason::Other {
                zh: "这是唯一在用的系统管理员账号,不能停用或改为其他角色。".to_owned(),
                en: "This is the only active administrator: it cannot be deactivated or given another role.".to_owned(),
            },
            lang,
        )
        .into());
    }
    db::accounts::update(conn, id, &form).await?;
    if !form.active {
        db::accounts::end_sessions(conn, id, None).await?;
    }
    let after = db::accounts::one(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the account vanished"))?;
    let (was, now_json) = changes(&before, &after);
    db::accounts::audit(
        conn,
        me.user.id,
        ("account.update", &before.username),
        (&was, &now_json),
        now,
    )
    .await?;
    wtx.commit().await?;
    // Cached sessions carry the user's role and town: read again.
    state.sessions.clear();
    Ok(Json(after))
}

/// Resets an account's password to a one-time one; their sessions end.
#[utoipa::path(
    post,
    path = "/api/admin/accounts/{id}/reset-password",
    tag = "admin",
    params(("id" = i64, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Reset: the one-time password, shown this once; every session of the account has ended, and the password must be changed at the next sign-in", body = IssuedPassword),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages accounts, or the request came from another site", body = ApiError),
        (status = 404, description = "No such account", body = ApiError),
        (status = 429, description = "The server is busy hashing: try again in a second", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<IssuedPassword>> {
    admin_only(&me, lang)?;
    let password = one_time_password();
    let hashed = hash(&state, password.clone()).await?;
    let now = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let before = db::accounts::one(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::accounts::set_password(conn, id, &hashed, true, now).await?;
    db::accounts::end_sessions(conn, id, None).await?;
    let account = db::accounts::one(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the account vanished"))?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("account.reset_password", &before.username),
        ("", ""),
        now,
    )
    .await?;
    wtx.commit().await?;
    state.sessions.clear();
    Ok(Json(IssuedPassword { account, password }))
}

/// The audit log of administrative changes.
#[utoipa::path(
    get,
    path = "/api/admin/audit",
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "The changes of the period (both days included; the last 30 days by default), newest first, at most 500; optionally one action's", body = AuditLog),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator reads the audit log", body = ApiError),
        (status = 422, description = "`to` before `from`, or a date not `YYYY-MM-DD`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn audit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(q): AppQuery<AuditQuery>,
) -> AppResult<Json<AuditLog>> {
    admin_only(&me, lang)?;
    let today = state.config.today();
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Days::new(30));
    if to < from {
        return Err(ApiError::field("to", shared::api::period_reversed(), lang).into());
    }
    let (from_ms, until_ms) = state.config.day_bounds(Some(from), Some(to));
    let mut conn = state.db.pool.acquire().await?;
    let action = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    Ok(Json(AuditLog {
        items: db::accounts::audit_log(
            &mut conn,
            action,
            (from_ms.unwrap_or(0), until_ms.unwrap_or(i64::MAX)),
            AUDIT_PAGE,
        )
        .await?,
    }))
}

/// Changes the signed-in person's own password.
#[utoipa::path(
    post,
    path = "/api/me/password",
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; the person's other sessions have ended; this one goes on", body = UserInfo),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 422, description = "Fields refused by name: `current` (missing, or not the current password), `new_password` (under 10 characters, over 128, too common, containing the username, or the current one)", body = ApiError),
        (status = 429, description = "Too many wrong current passwords, or the server is busy: see `retry_after`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<ChangePassword>,
) -> AppResult<Json<UserInfo>> {
    req.check(&me.user.username, lang)
        .map_err(AppError::fields)?;
    // Guessing the current password here is throttled as sign-in is.
    let key = format!("password\n{}", me.user.id);
    let attempt = AttemptLimiter::begin(&[(&state.limits.login_user, key.clone())])
        .map_err(super::auth::rate_limited)?;
    let stored = {
        let mut conn = state.db.pool.acquire().await?;
        db::users::by_id(&mut conn, me.user.id)
            .await?
            .ok_or_else(|| AppError::kind(ErrorKind::Unauthorized))?
            .password_hash
    };
    let ok = match state.hasher.verify(req.current.clone(), stored).await {
        Ok(ok) => ok,
        Err(HashError::Busy) => {
            attempt.release();
            return Err(ApiError::new(ErrorKind::RateLimited, lang)
                .with_retry_after(1)
                .into());
        }
        Err(HashError::Failed(e)) => return Err(AppError::internal(e)),
    };
    if !ok {
        return Err(ApiError::field(
            "current",
            Reason::Other {
                zh: "当前密码不对。".to_owned(),
                en: "That is not the current password.".to_owned(),
            },
            lang,
        )
        .into());
    }
    attempt.release();
    state.limits.login_user.clear(&key);
    let hashed = hash(&state, req.new_password.clone()).await?;
    let now = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    db::accounts::set_password(conn, me.user.id, &hashed, false, now).await?;
    db::accounts::end_sessions(conn, me.user.id, Some(&me.token_hash)).await?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("password.change", &me.user.username),
        ("", ""),
        now,
    )
    .await?;
    let user = db::users::by_id(conn, me.user.id)
        .await?
        .ok_or_else(|| AppError::internal("the user vanished"))?
        .info()?;
    wtx.commit().await?;
    state.sessions.clear();
    Ok(Json(user))
}

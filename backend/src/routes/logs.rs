//! The reception log (`/visits`) and the service log (`/services`): every visitor to the hall or
//! a window, and every legal or psychological service given, each logged in seconds, optionally
//! naming the case it concerns. A visit can become a case (`RegisterCase::from_visit`).
//!
//! Who: the lead and the clerks log and read visits; town leaders read them masked. Services
//! are logged by those who give them (the lead, clerks, mediators, the service rooms' liaisons);
//! the lead and clerks read them all, town leaders masked, the others their own.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use shared::logs::{
    LogPeriod, LogSummary, NewService, NewVisit, ServiceRecord, Services, Visit, Visits,
};
use shared::model::{DepartmentKind, Role};
use shared::validate::normalize_case_code;
use shared::workflow;
use shared::{ApiError, ErrorKind, Lang, Reason};
use sqlx::AnyConnection;

use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits", get(visits).post(log_visit))
        .route("/visits/{id}", get(visit))
        .route("/services", get(services).post(log_service))
        .route("/logs/summary", get(summary))
}

fn forbidden(lang: Lang, zh: &str, en: &str) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(zh, en))
        .into()
}

/// Whether `me` reads the reception log, and masked.
fn visit_reader(me: &CurrentUser, lang: Lang) -> AppResult<bool> {
    match me.user.role {
        Role::Lead | Role::Clerk => Ok(false),
        Role::TownLeader => Ok(true),
        _ => Err(forbidden(
            lang,
            "来访登记只有中心负责人、窗口受理员和包村领导可以查看。",
            "The reception log is for the center lead, the intake clerks and town leaders.",
        )),
    }
}

/// Whether `me` gives services: the center's staff, mediators, the service rooms' liaisons.
async fn gives_services(conn: &mut AnyConnection, me: &CurrentUser) -> AppResult<bool> {
    Ok(match me.user.role {
        Role::Lead | Role::Clerk | Role::Mediator => true,
        Role::Liaison => {
            let departments = db::org::departments(conn, me.user.town_id).await?;
            departments.iter().any(|d| {
                Some(d.id) == me.user.department_id && d.kind == DepartmentKind::ServiceRoom
            })
        }
        _ => false,
    })
}

/// The entry's time, checked against now.
fn when(at: Option<DateTime<Utc>>, now: i64) -> i64 {
    at.map_or(now, |t| t.timestamp_millis())
}

/// The case an entry names, by code: a case of the town that `me` may read.
async fn case_named(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    code: Option<&str>,
    lang: Lang,
) -> AppResult<Option<i64>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let refused = || AppError::from(ApiError::field("case_code", Reason::NoSuchItem, lang));
    let code = normalize_case_code(code).ok_or_else(refused)?;
    let earlier = db::repeats::earlier(conn, me.user.town_id, &code)
        .await?
        .ok_or_else(refused)?;
    let row = db::cases::by_id(conn, earlier.id)
        .await?
        .ok_or_else(refused)?;
    if !row.facts().is_ok_and(|f| workflow::may_read(&me.actor, &f)) {
        return Err(refused());
    }
    Ok(Some(earlier.id))
}

/// The personal party names of the cases entries name, for masking their notes.
async fn case_names<'a>(
    conn: &mut AnyConnection,
    cases: impl Iterator<Item = &'a shared::repeats::CaseRef>,
) -> AppResult<std::collections::HashMap<i64, Vec<String>>> {
    let ids: Vec<i64> = cases.map(|c| c.id).collect();
    Ok(db::cases::names_of_cases(conn, &ids).await?)
}

/// `items` as a reader who may not see personal data gets them: each masked (`mask`) with the
/// party names of the case it names (`case_of`), the cases' names read at once.
pub(crate) async fn masked_with_case_names<T>(
    conn: &mut AnyConnection,
    items: Vec<T>,
    case_of: impl Fn(&T) -> Option<i64>,
    mask: impl Fn(T, &[String]) -> T,
) -> AppResult<Vec<T>> {
    let ids: Vec<i64> = items.iter().filter_map(&case_of).collect();
    let names = db::cases::names_of_cases(conn, &ids).await?;
    Ok(items
        .into_iter()
        .map(|item| {
            let others = case_of(&item).and_then(|id| names.get(&id));
            mask(item, others.map_or(&[][..], Vec::as_slice))
        })
        .collect())
}

/// A person of the center named as receiving or giving, of one of `roles`: `field` names
/// them in a refusal.
async fn person(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    (id, roles): (Option<i64>, &[Role]),
    field: &str,
    lang: Lang,
) -> AppResult<i64> {
    let Some(id) = id else { return Ok(me.user.id) };
    match db::logs::person_of_town(conn, me.user.town_id, id).await? {
        Some((_, role)) if Role::parse(&role).is_some_and(|r| roles.contains(&r)) => Ok(id),
        _ => Err(ApiError::field(field, Reason::NoSuchItem, lang).into()),
    }
}

/// What the logs add up to over a period (the dashboard's period, up to five years): visits,
/// visitors, group visits, legal and psychological services.
#[utoipa::path(
    get,
    path = "/api/logs/summary",
    tag = "logs",
    params(LogPeriod),
    responses(
        (status = 200, description = "The town's reception and service logs added up over the period (both days included; today by default)", body = LogSummary),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks and town leaders read the logs' figures", body = ApiError),
        (status = 422, description = "`to` before `from`, a period over five years, or a date not `YYYY-MM-DD`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn summary(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(period): AppQuery<LogPeriod>,
) -> AppResult<Json<LogSummary>> {
    visit_reader(&me, lang)?;
    let (from, to) = period
        .days_within(state.config.today(), shared::figures::PERIOD_DAYS_MAX, lang)
        .map_err(AppError::fields)?;
    let (from_ms, until_ms) = state.config.day_bounds(Some(from), Some(to));
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        db::logs::summary(
            &mut conn,
            me.user.town_id,
            from_ms.unwrap_or(i64::MIN),
            until_ms.unwrap_or(i64::MAX),
        )
        .await?,
    ))
}

/// The reception log of a period (today by default), newest first, with its totals.
#[utoipa::path(
    get,
    path = "/api/visits",
    tag = "logs",
    params(LogPeriod),
    responses(
        (status = 200, description = "The visits of the period (both days included), newest first; entries, people and group visits (five or more) counted. Names and phones masked for town leaders", body = Visits),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks and town leaders read the reception log", body = ApiError),
        (status = 422, description = "`to` before `from`, a period over 366 days, or a date not `YYYY-MM-DD`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn visits(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(period): AppQuery<LogPeriod>,
) -> AppResult<Json<Visits>> {
    let masked = visit_reader(&me, lang)?;
    let (from, to) = period
        .days(state.config.today(), lang)
        .map_err(AppError::fields)?;
    let (from_ms, until_ms) = state.config.day_bounds(Some(from), Some(to));
    let mut conn = state.db.pool.acquire().await?;
    let items = db::logs::visits(
        &mut conn,
        me.user.town_id,
        from_ms.unwrap_or(i64::MIN),
        until_ms.unwrap_or(i64::MAX),
    )
    .await?;
    let items = if masked {
        masked_with_case_names(
            &mut conn,
            items,
            |v| v.case.as_ref().map(|c| c.id),
            Visit::masked,
        )
        .await?
    } else {
        items
    };
    Ok(Json(Visits::of(from, to, items)))
}

/// One visit (the intake form fills itself from it when the visit becomes a case).
#[utoipa::path(
    get,
    path = "/api/visits/{id}",
    tag = "logs",
    params(("id" = i64, Path, description = "The visit's id")),
    responses(
        (status = 200, description = "The visit (masked for town leaders)", body = Visit),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks and town leaders read the reception log", body = ApiError),
        (status = 404, description = "No such visit in this town", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn visit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Visit>> {
    let masked = visit_reader(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    let v = db::logs::visit(&mut conn, me.user.town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !masked {
        return Ok(Json(v));
    }
    let names = case_names(&mut conn, v.case.iter()).await?;
    let others = v.case.as_ref().and_then(|c| names.get(&c.id)).cloned();
    Ok(Json(v.masked(&others.unwrap_or_default())))
}

/// Logs a visitor.
#[utoipa::path(
    post,
    path = "/api/visits",
    tag = "logs",
    request_body = NewVisit,
    responses(
        (status = 201, description = "Logged; a group of five or more is flagged `group`", body = Visit),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead and intake clerks log visits, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused by name: `at` (future, or over 7 days back), `place`, `visitors` (1–500), `name`, `phone`, `note`, `received_by` (not the lead, a clerk or a mediator of the center), `case_code` (no such case here)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn log_visit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<NewVisit>,
) -> AppResult<(StatusCode, Json<Visit>)> {
    if !matches!(me.user.role, Role::Lead | Role::Clerk) {
        return Err(forbidden(
            lang,
            "来访登记只能由中心负责人或窗口受理员记录。",
            "Visits are logged by the center lead or an intake clerk.",
        ));
    }
    let now = now_ms();
    req.check(
        lang,
        DateTime::from_timestamp_millis(now).unwrap_or_default(),
    )
    .map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let receivers = [Role::Lead, Role::Clerk, Role::Mediator];
    let received_by = person(
        conn,
        &me,
        (req.received_by, &receivers),
        "received_by",
        lang,
    )
    .await?;
    let case_id = case_named(conn, &me, req.case_code.as_deref(), lang).await?;
    let phone = req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let id = db::logs::insert_visit(
        conn,
        &db::logs::VisitRow {
            town_id: me.user.town_id,
            at_ms: when(req.at, now),
            place: req.place.trim(),
            purpose: req.purpose.as_str(),
            visitors: i64::from(req.visitors.unwrap_or(1)),
            name: req.name.trim(),
            phone,
            note: req.note.trim(),
            received_by,
            case_id,
            recorded_by: me.user.id,
            recorded_at_ms: now,
        },
    )
    .await?;
    let v = db::logs::visit(conn, me.user.town_id, id)
        .await?
        .ok_or_else(|| AppError::internal("the new visit vanished"))?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The service log of a period (today by default), newest first, with its totals.
#[utoipa::path(
    get,
    path = "/api/services",
    tag = "logs",
    params(LogPeriod),
    responses(
        (status = 200, description = "The services of the period, newest first; legal and psychological counted, and their minutes. The lead and clerks read all; town leaders all, the person served masked; mediators and the service rooms' liaisons their own", body = Services),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role neither gives services nor reads the log", body = ApiError),
        (status = 422, description = "`to` before `from`, a period over 366 days, or a date not `YYYY-MM-DD`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn services(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(period): AppQuery<LogPeriod>,
) -> AppResult<Json<Services>> {
    let (from, to) = period
        .days(state.config.today(), lang)
        .map_err(AppError::fields)?;
    let mut conn = state.db.pool.acquire().await?;
    let (own_only, masked) = match me.user.role {
        Role::Lead | Role::Clerk => (false, false),
        Role::TownLeader => (false, true),
        _ if gives_services(&mut conn, &me).await? => (true, false),
        _ => {
            return Err(forbidden(
                lang,
                "服务记录只有提供服务的人员、中心负责人、窗口受理员和包村领导可以查看。",
                "The service log is for those who give services, the center lead, intake clerks and town leaders.",
            ));
        }
    };
    let (from_ms, until_ms) = state.config.day_bounds(Some(from), Some(to));
    let items: Vec<ServiceRecord> = db::logs::services(
        &mut conn,
        me.user.town_id,
        from_ms.unwrap_or(i64::MIN),
        until_ms.unwrap_or(i64::MAX),
        own_only.then_some(me.user.id),
    )
    .await?
    .into_iter()
    .map(|(_, s)| s)
    .collect();
    let items = if masked {
        masked_with_case_names(
            &mut conn,
            items,
            |s| s.case.as_ref().map(|c| c.id),
            ServiceRecord::masked,
        )
        .await?
    } else {
        items
    };
    Ok(Json(Services::of(from, to, items)))
}

/// Logs a legal or psychological service given.
#[utoipa::path(
    post,
    path = "/api/services",
    tag = "logs",
    request_body = NewService,
    responses(
        (status = 201, description = "Logged", body = ServiceRecord),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only those who give services log them (the lead, clerks, mediators, the service rooms' liaisons), or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused by name: `at`, `person`, `minutes` (1–600), `note`, `given_by` (not the lead, a clerk, a mediator or a liaison of the center), `case_code` (no such case here, or not one this person reads)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn log_service(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<NewService>,
) -> AppResult<(StatusCode, Json<ServiceRecord>)> {
    let now = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    if !gives_services(conn, &me).await? {
        return Err(forbidden(
            lang,
            "服务记录只能由提供服务的人员记录。",
            "Services are logged by those who give them.",
        ));
    }
    req.check(
        lang,
        DateTime::from_timestamp_millis(now).unwrap_or_default(),
    )
    .map_err(AppError::fields)?;
    // Only the center's staff log a service someone else gave.
    let given_by = if matches!(me.user.role, Role::Lead | Role::Clerk) {
        let givers = [Role::Lead, Role::Clerk, Role::Mediator, Role::Liaison];
        person(conn, &me, (req.given_by, &givers), "given_by", lang).await?
    } else if req.given_by.is_some_and(|g| g != me.user.id) {
        return Err(ApiError::field("given_by", Reason::NotAllowedHere, lang).into());
    } else {
        me.user.id
    };
    let case_id = case_named(conn, &me, req.case_code.as_deref(), lang).await?;
    let at_ms = when(req.at, now);
    let id = db::logs::insert_service(
        conn,
        &db::logs::ServiceRow {
            town_id: me.user.town_id,
            at_ms,
            kind: req.kind.as_str(),
            person: req.person.trim(),
            given_by,
            minutes: i64::from(req.minutes),
            note: req.note.trim(),
            case_id,
            recorded_by: me.user.id,
            recorded_at_ms: now,
        },
    )
    .await?;
    let service = db::logs::services(conn, me.user.town_id, at_ms, at_ms + 1, None)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .find(|s| s.id == id)
        .ok_or_else(|| AppError::internal("the new service vanished"))?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(service)))
}

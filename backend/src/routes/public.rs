//! The public status look-up: a resident gives the case code and the last four digits of
//! their phone and sees how far the matter has come — nothing personal.
//!
//! A wrong code and wrong digits answer with the same 404 at the same moment
//! (`FAILURE_FLOOR`), so neither the answer nor its timing tells which was wrong. Guesses are
//! counted before they are checked (`limits`): each address has `status_max_failures` failed
//! look-ups per `status_window`, and each case code `status_code_max_failures` per
//! `status_code_window` from all addresses together — so guessing one code's four digits from
//! many addresses gets at most 20 tries per 15 minutes (about 80 an hour of 10,000
//! possibilities), while the code's owner is locked out at most 15 minutes after an attack
//! stops (a short lock, so an attacker cannot keep a resident out for long without keeping up
//! the attack; the center can always tell the status by phone). Sensitive matters (`shared::api::is_publicly_restricted`)
//! show only received / in progress / closed.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{FixedOffset, NaiveDate};
use shared::ErrorKind;
use shared::api::{
    PublicNote, PublicProgress, PublicStatus, RateCase, StatusLookup, is_publicly_restricted,
};
use shared::model::{EventKind, HandlerRef, NotificationKind, Outcome, Role, Satisfaction, Stage};
use shared::privacy::Redactor;
use shared::validate::check_rating_comment;
use shared::validate::normalize_case_code;
use shared::{ApiError, Lang, Reason};

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::auth::ClientIp;
use crate::db;
use crate::db::cases::local_date;
use crate::db::events::NewEvent;
use crate::db::from_millis;
use crate::error::{AppError, AppJson, AppResult, RequestLang};
use crate::limits::AttemptLimiter;
use crate::routes::auth::rate_limited;
use crate::state::{AppState, CachedCase};

/// `/public/status` and `/public/rating`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/status", post(status))
        .route("/public/rating", post(rating))
}

/// The least time a failed look-up takes: every failure is answered at this moment after the
/// request began, so a wrong code and a right code with wrong digits cannot be told apart by
/// their timing (the work behind either is far shorter).
const FAILURE_FLOOR: Duration = Duration::from_millis(5);

#[utoipa::path(
    post,
    path = "/api/public/status",
    tag = "public",
    request_body = StatusLookup,
    responses(
        (status = 200, description = "How far the matter has come: nothing personal", body = PublicStatus),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 429, description = "Too many attempts, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequestLang(lang): RequestLang,
    AppJson(req): AppJson<StatusLookup>,
) -> AppResult<Response> {
    let (cached, code) = look_up(&state, ip, &req).await?;
    let today = state.config.today();
    let json = cached.public_json(lang, today, || {
        let answer = public_status(&cached, code, lang, today, state.config.timezone())?;
        serde_json::to_vec(&answer)
            .map(Bytes::from)
            .map_err(AppError::internal)
    })?;
    Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
}

#[utoipa::path(
    post,
    path = "/api/public/rating",
    tag = "public",
    request_body = RateCase,
    responses(
        (status = 200, description = "The rating was kept; the case's public status as it is now", body = PublicStatus),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 403, description = "The request came from another site", body = ApiError),
        (status = 404, description = "No such case, or the digits do not match (the same answer as the look-up)", body = ApiError),
        (status = 409, description = "The case is not closed yet, or was rated already (a case is rated once)", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 429, description = "Too many attempts, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn rating(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequestLang(lang): RequestLang,
    AppJson(req): AppJson<RateCase>,
) -> AppResult<axum::Json<PublicStatus>> {
    let (cached, code) = rate(&state, ip, &req, lang).await?;
    let today = state.config.today();
    Ok(axum::Json(public_status(
        &cached,
        code,
        lang,
        today,
        state.config.timezone(),
    )?))
}

/// Keeps the resident's rating of a closed case, proved like a look-up (the same throttles
/// and the same 404): once per case, closed cases only — a 409 says which, in `lang`. A
/// dissatisfied rating tells the town's leads, for a follow-up visit (回访). Returns the case
/// as it is now.
pub(crate) async fn rate(
    state: &AppState,
    ip: std::net::IpAddr,
    req: &RateCase,
    lang: Lang,
) -> AppResult<(Arc<CachedCase>, String)> {
    let lookup = StatusLookup {
        code: req.code.clone(),
        phone_last4: req.phone_last4.clone(),
    };
    let (cached, code) = look_up(state, ip, &lookup).await?;
    check_rating_comment(&req.comment, lang)
        .map_err(|fields| ApiError::validation(fields, lang))?;
    let case_id = cached.row.id;
    let town_id = cached.row.town_id;
    let comment = Some(req.comment.trim()).filter(|c| !c.is_empty());
    let now_ms = super::now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    if !db::cases::rate(conn, case_id, req.satisfaction, comment, now_ms).await? {
        drop(wtx);
        let rated = db::cases::by_id(&mut *state.db.pool.acquire().await?, case_id)
            .await?
            .is_some_and(|row| row.rating.is_some());
        return Err(not_ratable(rated, lang).into());
    }
    let system = db::supervision::system_user(conn).await?;
    db::events::insert(
        conn,
        &NewEvent {
            case_id,
            at_ms: now_ms,
            actor_id: system,
            actor_name: RESIDENT,
            actor_role: Role::Admin,
            kind: EventKind::Rated,
            from_stage: None,
            to_stage: None,
            text: comment,
            details: vec![(
                "satisfaction".to_owned(),
                req.satisfaction.as_str().to_owned(),
            )],
            public: false,
        },
    )
    .await?;
    if req.satisfaction == Satisfaction::Dissatisfied {
        let leads = db::supervision::leads_of(conn, town_id).await?;
        let text = format!("案件 {code} 的群众评价为不满意,请安排回访。");
        db::supervision::notify(
            conn,
            &leads,
            Some(case_id),
            NotificationKind::Rated,
            &text,
            now_ms,
        )
        .await?;
    }
    let rev = db::cases::bump_town(conn, town_id).await?;
    state.commit_case_change(wtx, town_id, case_id, rev).await?;
    let cached = state
        .case(case_id)
        .await?
        .ok_or_else(|| AppError::internal("the rated case vanished"))?;
    Ok((cached, code))
}

/// The name the timeline gives a resident who acted through the public pages (the timeline
/// stores names as written; a person's name is never known here).
pub(crate) const RESIDENT: &str = "群众(网上)";

/// The 409 of a rating that cannot be kept: rated already, or not closed yet.
fn not_ratable(rated: bool, lang: Lang) -> ApiError {
    let (zh, en) = if rated {
        (
            "该案件已经评价过,每个案件只能评价一次。",
            "This case has been rated already; a case is rated once.",
        )
    } else {
        (
            "案件办结后才能评价。",
            "A case can be rated once it is closed.",
        )
    };
    ApiError::new(ErrorKind::Conflict, lang).with_message(lang.pick(zh, en))
}

/// Finds the case a look-up names, counting the attempt against the address and the code
/// first; every failure to match answers `FAILURE_FLOOR` after `started` with the same 404.
/// Returns the case and its normalised code.
pub(crate) async fn look_up(
    state: &AppState,
    ip: std::net::IpAddr,
    req: &StatusLookup,
) -> AppResult<(Arc<CachedCase>, String)> {
    let started = Instant::now();
    let limits = &state.limits;
    let ip = ip.to_string();
    let code = normalize_case_code(&req.code);
    // Counted before it is checked, against the address and (for a well-formed code) the code.
    let attempt = match &code {
        Some(code) => {
            AttemptLimiter::begin(&[(&limits.status_ip, ip), (&limits.status_code, code.clone())])
        }
        None => AttemptLimiter::begin(&[(&limits.status_ip, ip)]),
    }
    .map_err(rate_limited)?;
    let Some(code) = code else {
        return Err(AppError::field("code", Reason::InvalidCaseCode));
    };
    let digits = req.phone_last4.trim();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::field("phone_last4", Reason::InvalidLastFour));
    }
    // A code this server knows is found in memory, an unknown one in the database; so that a
    // failure takes the same path either way, a known code that fails asks the database too.
    let known = state.cached_case_id(&code).is_some();
    let cached = match state.case_id_by_code(&code).await? {
        Some(id) => state.case(id).await?,
        None => None,
    };
    let Some(cached) = cached.filter(|c| c.row.applicant_last4.split(' ').any(|d| d == digits))
    else {
        if known {
            let mut conn = state.db.pool.acquire().await?;
            db::cases::id_by_code(&mut conn, &code).await?;
        }
        tokio::time::sleep_until((started + FAILURE_FLOOR).into()).await;
        return Err(AppError::not_found());
    };
    attempt.release();
    Ok((cached, code))
}

/// What the resident sees of a case (`code` as normalised).
pub(crate) fn public_status(
    cached: &CachedCase,
    code: String,
    lang: Lang,
    today: NaiveDate,
    tz: FixedOffset,
) -> AppResult<PublicStatus> {
    let row = &cached.row;
    let stage = row.stage()?;
    let kind = row
        .kind
        .parse()
        .map_err(|_| AppError::internal("stored kind"))?;
    let category = row
        .category
        .parse()
        .map_err(|_| AppError::internal("stored category"))?;
    let restricted = is_publicly_restricted(kind, category, &row.risk_flags()?);
    let rating = row.rating()?.map(|(r, _)| r);
    let date = |ms: Option<i64>| ms.map(|ms| local_date(from_millis(ms), tz));
    let registered_on = local_date(from_millis(row.registered_at), tz);
    let answer = if restricted {
        PublicStatus {
            code,
            restricted,
            progress: PublicProgress::of(stage),
            stage: None,
            kind: None,
            registered_on,
            routed_on: None,
            handling_on: None,
            closed_on: None,
            archived_on: None,
            handling_unit: None,
            on_time: None,
            due_on: None,
            suspended: false,
            outcome: None,
            rating,
            notes: Vec::new(),
        }
    } else {
        let due = row.due_on()?;
        // While suspended the clock stands: the case is on time, and its due date is not yet
        // known (it moves on by each day the suspension lasts).
        let suspended = stage.is_open() && row.suspended_on.is_some();
        let on_time = match date(row.closed_at) {
            Some(closed) if !stage.is_open() => closed <= due,
            _ => suspended || today <= due,
        };
        let handling_unit = match row.handler()? {
            Some(HandlerRef::Department(_)) => row.handler_name.clone(),
            Some(HandlerRef::Mediator(_)) => Some(mediation_room(lang).to_owned()),
            None => None,
        };
        // Published notes are written for the resident, but a name or a number typed into one
        // by mistake is still masked.
        let redactor = Redactor::for_parties(&cached.parties);
        let notes = cached
            .public_notes
            .iter()
            .map(|(at, text)| PublicNote {
                at: from_millis(*at),
                text: redactor.redact(text),
            })
            .collect();
        let in_stage = |s: Stage, ms: Option<i64>| {
            let reached = Stage::ALL.iter().position(|x| *x == stage)
                >= Stage::ALL.iter().position(|x| *x == s);
            if reached { date(ms) } else { None }
        };
        PublicStatus {
            code,
            restricted,
            progress: PublicProgress::of(stage),
            stage: Some(stage),
            kind: Some(kind),
            registered_on,
            routed_on: in_stage(Stage::Routed, row.routed_at),
            handling_on: in_stage(Stage::InHandling, row.handling_at),
            closed_on: in_stage(Stage::Closed, row.closed_at),
            archived_on: in_stage(Stage::Archived, row.archived_at),
            handling_unit,
            on_time: Some(on_time),
            due_on: (stage.is_open() && !suspended).then_some(due),
            suspended,
            outcome: if stage.is_open() {
                None
            } else {
                row.outcome.as_deref().and_then(Outcome::parse)
            },
            rating,
            notes,
        }
    };
    Ok(answer)
}

fn mediation_room(lang: Lang) -> &'static str {
    lang.pick("综治中心调解室", "The center's mediation room")
}

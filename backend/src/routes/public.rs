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
use shared::api::{PublicNote, PublicProgress, PublicStatus, StatusLookup, is_publicly_restricted};
use shared::model::{HandlerRef, Outcome, Stage};
use shared::privacy::Redactor;
use shared::validate::normalize_case_code;
use shared::{ApiError, Lang, Reason};

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::auth::ClientIp;
use crate::db::cases::local_date;
use crate::db::from_millis;
use crate::error::{AppError, AppJson, AppResult, RequestLang};
use crate::limits::AttemptLimiter;
use crate::routes::auth::rate_limited;
use crate::state::{AppState, CachedCase};

/// `/public/status`.
pub fn router() -> Router<AppState> {
    Router::new().route("/public/status", post(status))
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
    let cached = match state.case_id_by_code(&code).await? {
        Some(id) => state.case(id).await?,
        None => None,
    };
    let Some(cached) = cached.filter(|c| c.row.applicant_last4.split(' ').any(|d| d == digits))
    else {
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
            notes,
        }
    };
    Ok(answer)
}

fn mediation_room(lang: Lang) -> &'static str {
    lang.pick("综治中心调解室", "The center's mediation room")
}

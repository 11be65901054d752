//! Repeat matters (重复信访): the search the intake form runs while a phone or ID number is
//! typed (`POST /api/repeats/search`), the link of a case to the earlier one it repeats
//! (`PUT /api/cases/{id}/repeat-of`), and the link made at registration
//! (`RegisterCase::repeat_of`, checked by `for_registration`).
//!
//! A search is limited per person (`Limits::repeat_search`: `CONCORD_REPEAT_SEARCHES` per 15
//! minutes, 300 by default — a clerk typing every party of a busy morning stays far below it,
//! walking through phone numbers does not); what a match shows follows `shared::repeats`.

use axum::extract::State;
use axum::routing::{post, put};
use axum::{Json, Router};
use shared::model::{CaseDetail, CaseKind, EventKind, RiskFlag, Stage};
use shared::privacy::PartyView;
use shared::repeats::{LinkRepeat, RECENT_DAYS, RepeatMatches, RepeatSearch, is_repeat_petition};
use shared::validate::normalize_case_code;
use shared::workflow::Act;
use shared::{ApiError, Lang, Reason};
use sqlx::AnyConnection;

use super::auth::rate_limited;
use super::clock::{case_for_act, event};
use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::limits::AttemptLimiter;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/repeats/search", post(search))
        .route("/cases/{id}/repeat-of", put(link))
}

/// The open and recently closed cases of the town with a party who has one of these phone
/// or ID numbers.
#[utoipa::path(
    post,
    path = "/api/repeats/search",
    tag = "cases",
    request_body = RepeatSearch,
    responses(
        (status = 200, description = "The matches, newest first: open cases, and cases closed in the last 180 days. The party and the number are masked; the summary is redacted unless the reader sees every case's parties", body = RepeatMatches),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only those who register matters search (the lead, clerks, grid workers), or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: `phones[i]` not a phone number, `id_numbers[i]` not an ID number, more than 20 of either, or none at all", body = ApiError),
        (status = 429, description = "Too many searches by this person in 15 minutes (`retry_after`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<RepeatSearch>,
) -> AppResult<Json<RepeatMatches>> {
    if !Act::SearchRepeats.who().permits_role(me.user.role) {
        return Err(Act::SearchRepeats.refusal(lang).into());
    }
    let (phones, ids) = req.check(lang).map_err(AppError::fields)?;
    // Counted before the search, so searches sent together cannot pass the limit; a search
    // keeps its slot (every search counts).
    let _attempt = AttemptLimiter::begin(&[(&state.limits.repeat_search, me.user.id)])
        .map_err(rate_limited)?;
    let now = now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let matches = db::repeats::search(
        &mut conn,
        &db::repeats::Search {
            town_id: me.actor.town_id,
            phones: &phones,
            ids: &ids,
            exclude: req.exclude_case_id,
            closed_since_ms: now - RECENT_DAYS * 86_400_000,
            sees_text: PartyView::of(me.user.role) == PartyView::All,
            offset_ms: state.config.offset_ms(),
        },
    )
    .await?;
    Ok(Json(matches))
}

/// The earlier case a new matter is linked to at registration, checked: a case of the town.
/// Returns its id and the risk flags to store (a petition about a matter still open is a
/// repeat petition, 重复信访); the codes judged different are checked too. `field` names the
/// earlier case's code in a refusal (`repeat_of` at registration, `of` when linking later).
#[expect(
    clippy::too_many_arguments,
    reason = "the registration's parts, each its own"
)]
pub(crate) async fn for_registration(
    conn: &mut AnyConnection,
    town_id: i64,
    kind: CaseKind,
    repeat_of: Option<&str>,
    field: &str,
    not_repeat_of: &[String],
    flags: &[RiskFlag],
    lang: Lang,
) -> AppResult<(Option<db::repeats::Earlier>, Vec<RiskFlag>)> {
    let mut flags = flags.to_vec();
    if not_repeat_of.len() > shared::repeats::MATCHES_MAX {
        return Err(ApiError::field(
            "not_repeat_of",
            Reason::OutOfRange {
                min: 0,
                max: shared::repeats::MATCHES_MAX as i64,
            },
            lang,
        )
        .into());
    }
    for (i, code) in not_repeat_of.iter().enumerate() {
        let known = match normalize_case_code(code) {
            Some(code) => db::repeats::earlier(conn, town_id, &code).await?.is_some(),
            None => false,
        };
        if !known {
            return Err(
                ApiError::field(&format!("not_repeat_of[{i}]"), Reason::NoSuchItem, lang).into(),
            );
        }
    }
    let Some(code) = repeat_of else {
        return Ok((None, flags));
    };
    let earlier = match normalize_case_code(code) {
        Some(code) => db::repeats::earlier(conn, town_id, &code).await?,
        None => None,
    }
    .ok_or_else(|| AppError::from(ApiError::field(field, Reason::NoSuchItem, lang)))?;
    let stage: Stage = db::parse_enum("stage", &earlier.stage)?;
    // The mark follows the link: a petition linked to an open matter is a repeat petition;
    // linked to a matter already closed, it is not.
    flags.retain(|f| *f != RiskFlag::RepeatPetition);
    if is_repeat_petition(kind, stage) {
        flags.push(RiskFlag::RepeatPetition);
    }
    Ok((Some(earlier), flags))
}

/// Links a case to the earlier case it repeats (or, with `of` empty, removes the link).
/// Linking a petition to a matter still open marks it a repeat petition (重复信访);
/// removing the link removes that mark.
#[utoipa::path(
    put,
    path = "/api/cases/{id}/repeat-of",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = LinkRepeat,
    responses(
        (status = 200, description = "The case, linked (or unlinked)", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead or an intake clerk links, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case changed since it was read (`current` holds it as it is now)", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`of`: no such case in this town, the case itself, a case registered after this one, or a case that repeats this one (a circle)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn link(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<LinkRepeat>,
) -> AppResult<Json<CaseDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, _facts) = case_for_act(conn, &me, id, Act::LinkRepeat, lang).await?;
    // `case_for_act` took the case (its version is one on): the person's version is one behind.
    if row.version != req.version + 1 {
        drop(wtx);
        return Err(super::cases::conflict(&state, &me.actor, id, lang).await);
    }
    let kind: CaseKind = db::parse_enum("kind", &row.kind)?;
    let mut flags = row.risk_flags()?;
    let now = now_ms();
    let of = req.of.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if of.is_none() && row.repeat_of_code.is_none() {
        // Nothing to unlink: nothing is written, the case is answered as it is.
        drop(wtx);
        return Ok(Json(super::cases::read_case(&state, &me.actor, id).await?));
    }
    // Links are made one at a time per town (the town's revision row is taken first; on
    // PostgreSQL that is a row lock until commit), so two links sent together — A to B and
    // B to A — cannot both pass the circle check below.
    db::cases::lock_town(conn, row.town_id).await?;
    let (earlier, event_kind, details) = match of {
        Some(code) => {
            let (earlier, with_flags) =
                for_registration(conn, row.town_id, kind, Some(code), "of", &[], &flags, lang)
                    .await?;
            let earlier = earlier.ok_or_else(|| AppError::internal("no earlier case"))?;
            // Only an earlier matter; never the case itself or one that repeats it.
            if earlier.id == id
                || earlier.registered_at > row.registered_at
                || db::repeats::leads_to(conn, earlier.id, id).await?
            {
                return Err(ApiError::field("of", Reason::NotAllowedHere, lang).into());
            }
            flags = with_flags;
            let details = vec![("repeat_of".to_owned(), earlier.code.clone())];
            (Some(earlier.id), EventKind::RepeatLinked, details)
        }
        None => {
            let code = row.repeat_of_code.clone().unwrap_or_default();
            flags.retain(|f| *f != RiskFlag::RepeatPetition);
            (
                None,
                EventKind::RepeatUnlinked,
                vec![("repeat_of".to_owned(), code)],
            )
        }
    };
    db::repeats::set_link(conn, id, earlier, &flags).await?;
    db::events::insert(conn, &event(&me, id, now, event_kind, None, details)).await?;
    super::clock::finish(&state, wtx, &me, row.town_id, id).await
}

//! Cases: the paged list, registration, reading one case, stage transitions, notes and the
//! timeline.
//!
//! Every change and its event are written in one transaction, which also bumps the town's
//! revision (so cached boards are rebuilt). Transitions are checked against the version the
//! person read: a stale one is refused with 409 and the current case, and nothing is written.
//!
//! Event `details` are `(key, value)` pairs with stable keys — `handler`, `cooperating`,
//! `outcome`, `route_told`, `archive_no`, `retention_years`, `previous_handler` — and values
//! that are names (handlers) or wire names (outcomes, routes), so the browser labels them in
//! the reader's language.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, Utc};
use rand::Rng;
use shared::api::{
    CaseFilter, CaseListItem, NoteRequest, PER_PAGE_DEFAULT, PER_PAGE_MAX, Page, RegisterCase,
    TransitionRequest,
};
use shared::deadline::{Clock, ClockRule, response_due};
use shared::model::{
    CaseDetail, CaseEvent, EventKind, HandlerRef, NotificationKind, OrgLevel, PartySide, RiskFlag,
    Role, Stage,
};
use shared::privacy::Redactor;
use shared::validate::{
    CODE_RANDOM_LEN, Checker, NOTE_MAX, case_code, check_register, normalize_case_code,
    phone_last_four,
};
use shared::workflow::{self, Act, Actor, Applied, Command, Lookups};
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};
use sqlx::AnyConnection;

use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::cases::{CaseRow, NewCase};
use crate::db::events::NewEvent;
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang, lang};
use crate::state::{AccessEntry, AppState, CachedCase, SLOW_WORK_TIMEOUT, too_slow};

/// `/cases`, `/cases/{id}`, `/cases/{id}/transitions`, `/cases/{id}/notes`,
/// `/cases/{id}/timeline`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(register))
        .route("/cases/{id}", get(read))
        .route("/cases/{id}/transitions", post(transition))
        .route("/cases/{id}/notes", post(add_note))
        .route("/cases/{id}/timeline", get(timeline))
}

/// A page of the town's cases (archived included), in the order asked (newest first).
#[utoipa::path(
    get,
    path = "/api/cases",
    tag = "cases",
    params(CaseFilter),
    responses(
        (status = 200, description = "A page of the town's cases, archived included, in the order asked (newest first); summaries redacted where the reader sees parties masked", body = Page<CaseListItem>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 422, description = "Fields refused: a value not of its vocabulary, a date not `YYYY-MM-DD`, `q` too long, `to` before `from`; each names the field and the reason", body = ApiError),
        (status = 429, description = "Too many attempts, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    AppQuery(filter): AppQuery<CaseFilter>,
) -> AppResult<Json<Page<CaseListItem>>> {
    filter.check(lang()).map_err(AppError::fields)?;
    let bounds = db::cases::Bounds::of(&state.config, &filter);
    let page = filter.page.unwrap_or(1).max(1);
    let per_page = filter
        .per_page
        .unwrap_or(PER_PAGE_DEFAULT)
        .clamp(1, PER_PAGE_MAX);
    let today = state.config.today();
    // Searches and long lists run within their own budget, so they never take every
    // connection of the pool from sign-ins, boards and writes.
    let _budget = state.slow_work().await?;
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = tokio::time::timeout(
        SLOW_WORK_TIMEOUT,
        db::cases::list(
            &mut conn,
            me.actor.town_id,
            &filter,
            bounds,
            &me.actor,
            today,
            page,
            per_page,
        ),
    )
    .await
    .map_err(|_| too_slow())??;
    Ok(Json(Page {
        items,
        total,
        page,
        per_page,
    }))
}

/// Registers a matter (and, if resolved on the spot, closes it in the same step).
#[utoipa::path(
    post,
    path = "/api/cases",
    tag = "cases",
    request_body = RegisterCase,
    responses(
        (status = 201, description = "Registered (or, with `closed_on_the_spot`, registered and closed)", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<RegisterCase>,
) -> AppResult<(StatusCode, Json<CaseDetail>)> {
    if !Act::Register.who().permits_role(me.user.role) {
        return Err(Act::Register.refusal(lang).into());
    }
    check_register(&req, lang).map_err(AppError::fields)?;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let today = state.config.today();
    let town_id = me.actor.town_id;
    let calendar = state.calendar().await?;

    let mut wtx = state.db.begin_write().await?;
    let conn: &mut AnyConnection = &mut wtx.tx;
    let registrar = Registrar {
        user_id: me.user.id,
        name: me.name(),
        role: me.user.role,
    };
    let at = Moment {
        calendar: &calendar,
        today,
        now_ms,
    };
    // A retired category is not offered for new matters (cases already in it keep it).
    if db::categories::setting(conn, req.category).await?.retired {
        let reason = Reason::Other {
            zh: "这个类别已停用,请选择其他类别。".into(),
            en: "This category is retired: choose another.".into(),
        };
        return Err(ApiError::field("category", reason, lang).into());
    }
    let (case_id, code) = insert_registered(conn, town_id, &req, &registrar, &at, lang).await?;
    if RiskFlag::needs_police_notice(&req.risk_flags) {
        super::clock::report_to_police(conn, &me, case_id, town_id, &code, now_ms).await?;
    }
    let rev = db::cases::bump_town(conn, town_id).await?;
    let row = db::cases::by_id(conn, case_id)
        .await?
        .ok_or_else(|| AppError::internal("the new case vanished"))?;
    let detail = detail_of(&state, conn, row, &me.actor).await?;
    state.commit_case_change(wtx, town_id, case_id, rev).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// A case registered from outside the center — the online form, an Open311 client — inside
/// its write transaction, not yet committed: the caller may write rows of its own in `wtx`,
/// then `commit`s.
pub(crate) struct OutsideCase {
    pub wtx: db::WriteTx,
    pub case_id: i64,
    pub code: String,
    pub due_on: chrono::NaiveDate,
    town_id: i64,
    rev: i64,
}

impl OutsideCase {
    /// Commits the case and tells the town's boards.
    pub(crate) async fn commit(self, state: &AppState) -> AppResult<()> {
        state
            .commit_case_change(self.wtx, self.town_id, self.case_id, self.rev)
            .await?;
        Ok(())
    }
}

/// Registers a checked matter that came from outside in `town_id`, by the system user under
/// the timeline name `actor`, and tells the town's leads that a request came in
/// (`NotificationKind::OnlineRequest`).
pub(crate) async fn register_from_outside(
    state: &AppState,
    town_id: i64,
    case: &RegisterCase,
    actor: &str,
    lang: Lang,
) -> AppResult<OutsideCase> {
    check_register(case, lang).map_err(AppError::fields)?;
    let calendar = state.calendar().await?;
    let today = state.config.today();
    let now_ms = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let system = db::supervision::system_user(conn).await?;
    let registrar = Registrar {
        user_id: system,
        name: actor,
        role: Role::Admin,
    };
    let at = Moment {
        calendar: &calendar,
        today,
        now_ms,
    };
    let (case_id, code) = insert_registered(conn, town_id, case, &registrar, &at, lang).await?;
    let leads = db::supervision::leads_of(conn, town_id).await?;
    let text = format!("{code} · {}", case.category.label(Lang::Zh));
    db::supervision::notify(
        conn,
        &leads,
        Some(case_id),
        NotificationKind::OnlineRequest,
        &text,
        now_ms,
    )
    .await?;
    let rev = db::cases::bump_town(conn, town_id).await?;
    let row = db::cases::by_id(conn, case_id)
        .await?
        .ok_or_else(|| AppError::internal("the new case vanished"))?;
    let due_on = row.due_on()?;
    Ok(OutsideCase {
        wtx,
        case_id,
        code,
        due_on,
        town_id,
        rev,
    })
}

/// Who registers a matter: a signed-in person, or the system for a resident's online request.
pub(crate) struct Registrar<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub role: Role,
}

/// When a matter is registered: the calendar its clock counts on, the centers' today and the
/// moment (ms).
pub(crate) struct Moment<'a> {
    pub calendar: &'a shared::calendar::Calendar,
    pub today: chrono::NaiveDate,
    pub now_ms: i64,
}

/// Registers a checked intake form in `town_id` inside the caller's write transaction: the
/// place is checked, the case gets a fresh code, its clock, the phones' last digits (or a query
/// code), its parties, the applicants' text-message receipt and its first events. Returns the
/// case's id and code; the caller reports risks, bumps the town and commits.
pub(crate) async fn insert_registered(
    conn: &mut AnyConnection,
    town_id: i64,
    req: &RegisterCase,
    registrar: &Registrar<'_>,
    at: &Moment<'_>,
    lang: Lang,
) -> AppResult<(i64, String)> {
    let Moment {
        calendar,
        today,
        now_ms,
    } = *at;
    let (area_id, group_id) = check_place(conn, town_id, req, lang).await?;
    let code = fresh_code(conn, today).await?;
    // The administrator's default clocks, where set (the case keeps the rule it starts with).
    let settings = db::clock::clock_settings(conn).await?;
    let rule = ClockRule::for_new_case(req.kind, req.category, req.channel, &settings);
    let clock = Clock::new(rule, today);
    let mut last4: Vec<String> = req
        .parties
        .iter()
        .filter(|p| p.side == PartySide::Applicant)
        .filter_map(|p| p.phone.as_deref().and_then(phone_last_four))
        .collect();
    // No applicant gave a phone: the receipt prints a query code, which the look-up takes in
    // place of the phone's last four digits.
    let query_code = last4.is_empty().then(|| {
        use rand::Rng;
        format!("{:04}", rand::rngs::OsRng.gen_range(0..10_000))
    });
    if let Some(q) = &query_code {
        last4.push(q.clone());
    }
    let (earlier, risk_flags) = super::repeats::for_registration(
        conn,
        town_id,
        req.kind,
        req.repeat_of.as_deref(),
        "repeat_of",
        &req.not_repeat_of,
        &req.risk_flags,
        lang,
    )
    .await?;
    let spot = req.closed_on_the_spot.as_ref();
    let stage = if spot.is_some() {
        Stage::Closed
    } else {
        Stage::Registered
    };
    let case_id = db::cases::insert(
        conn,
        &NewCase {
            code: &code,
            town_id,
            kind: req.kind,
            category: req.category,
            channel: req.channel,
            risk: req.risk,
            risk_flags: &risk_flags,
            summary: req.summary.trim(),
            facts: req.facts.trim(),
            request: req.request.trim(),
            village_id: req.village_id,
            area_id,
            group_id,
            stage,
            outcome: spot.map(|s| s.outcome),
            outcome_summary: spot.map(|s| s.summary.trim()),
            due_on: clock.due_on(calendar, today),
            clock,
            registered_at_ms: now_ms,
            registered_by: registrar.user_id,
            closed_at_ms: spot.map(|_| now_ms),
            applicant_last4: &last4.join(" "),
        },
    )
    .await?;
    if let Some(q) = &query_code {
        db::cases::set_query_code(conn, case_id, q).await?;
    }
    // The category's name as the administrator calls it now: the case keeps it.
    let category = db::categories::setting(conn, req.category).await?;
    if category.renamed {
        db::categories::name_case(conn, case_id, &category.name).await?;
    }
    if let Some(earlier) = &earlier {
        db::repeats::set_link(conn, case_id, Some(earlier.id), &risk_flags).await?;
    }
    // The visit it was brought in, not yet linked to another case: the reception log is the
    // lead's and the clerks'.
    if let Some(visit) = req.from_visit {
        if !matches!(registrar.role, Role::Lead | Role::Clerk) {
            return Err(ApiError::field("from_visit", Reason::NotAllowedHere, lang).into());
        }
        if !db::logs::link_visit(conn, town_id, visit, case_id).await? {
            return Err(ApiError::field("from_visit", Reason::NoSuchItem, lang).into());
        }
    }
    for (i, party) in req.parties.iter().enumerate() {
        db::cases::insert_party(conn, case_id, i, party).await?;
    }
    // The receipt, by text message, to each applicant with a phone.
    let receipt = format!(
        "【综治中心】您反映的事项已登记,案件编号 {code}。可凭案件编号和手机号后四位查询办理进度。"
    );
    for phone in applicant_phones(conn, case_id).await? {
        db::supervision::queue_sms(conn, case_id, &phone, &receipt, now_ms).await?;
    }
    let event = |kind, from, to, text, details| NewEvent {
        case_id,
        at_ms: now_ms,
        actor_id: registrar.user_id,
        actor_name: registrar.name,
        actor_role: registrar.role,
        kind,
        from_stage: from,
        to_stage: to,
        text,
        details,
        public: false,
    };
    // The repeat check as the clerk left it: the earlier case linked, the matches judged
    // different.
    let mut details = Vec::new();
    if let Some(earlier) = &earlier {
        details.push(("repeat_of".to_owned(), earlier.code.clone()));
    }
    if !req.not_repeat_of.is_empty() {
        let codes: Vec<String> = req
            .not_repeat_of
            .iter()
            .filter_map(|c| normalize_case_code(c))
            .collect();
        details.push(("not_repeat_of".to_owned(), codes.join(", ")));
    }
    db::events::insert(
        conn,
        &event(
            EventKind::Registered,
            None,
            Some(Stage::Registered),
            None,
            details,
        ),
    )
    .await?;
    if let Some(spot) = spot {
        db::events::insert(
            conn,
            &event(
                EventKind::ClosedOnTheSpot,
                Some(Stage::Registered),
                Some(Stage::Closed),
                Some(spot.summary.as_str()),
                vec![("outcome".to_owned(), spot.outcome.as_str().to_owned())],
            ),
        )
        .await?;
    }
    Ok((case_id, code))
}

/// Checks that the village, area and group exist in the town and nest; returns the area and
/// group to store (the area is filled in from the group when only the group is given).
async fn check_place(
    conn: &mut AnyConnection,
    town_id: i64,
    req: &RegisterCase,
    lang: Lang,
) -> AppResult<(Option<i64>, Option<i64>)> {
    let in_town = |unit: &Option<db::org::UnitRow>, level: OrgLevel| {
        unit.as_ref()
            .filter(|u| u.town_id == Some(town_id) && u.level().ok() == Some(level))
            .cloned()
    };
    let fail = |field: &str, reason: Reason| AppError::from(ApiError::field(field, reason, lang));
    let village = db::org::unit(conn, req.village_id).await?;
    if in_town(&village, OrgLevel::Village).is_none() {
        return Err(fail("village_id", Reason::NoSuchItem));
    }
    let mut area_id = None;
    if let Some(id) = req.area_id {
        let unit = db::org::unit(conn, id).await?;
        let Some(area) = in_town(&unit, OrgLevel::Area) else {
            return Err(fail("area_id", Reason::NoSuchItem));
        };
        if area.parent_id != Some(req.village_id) {
            return Err(fail("area_id", Reason::NotWithin));
        }
        area_id = Some(id);
    }
    let mut group_id = None;
    if let Some(id) = req.group_id {
        let unit = db::org::unit(conn, id).await?;
        let Some(group) = in_town(&unit, OrgLevel::Group) else {
            return Err(fail("group_id", Reason::NoSuchItem));
        };
        match area_id {
            Some(area) if group.parent_id != Some(area) => {
                return Err(fail("group_id", Reason::NotWithin));
            }
            Some(_) => {}
            None => {
                let parent = match group.parent_id {
                    Some(p) => db::org::unit(conn, p).await?,
                    None => None,
                };
                if parent.as_ref().and_then(|a| a.parent_id) != Some(req.village_id) {
                    return Err(fail("group_id", Reason::NotWithin));
                }
                area_id = group.parent_id;
            }
        }
        group_id = Some(id);
    }
    Ok((area_id, group_id))
}

/// A case code not yet taken.
async fn fresh_code(conn: &mut AnyConnection, today: chrono::NaiveDate) -> AppResult<String> {
    for _ in 0..16 {
        let random: [u32; CODE_RANDOM_LEN] = {
            let mut rng = rand::thread_rng();
            std::array::from_fn(|_| rng.r#gen())
        };
        let code = case_code(today.year(), today.month(), random);
        if !db::cases::code_exists(conn, &code).await? {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free case code after 16 tries"))
}

/// The case as `actor` may see it: parties masked unless they may see them.
pub(crate) async fn detail_of(
    state: &AppState,
    conn: &mut AnyConnection,
    row: CaseRow,
    actor: &Actor,
) -> AppResult<CaseDetail> {
    let facts = row.facts()?;
    let parties = db::cases::parties(conn, row.id).await?;
    let may_see = shared::privacy::may_see_parties(actor, &facts);
    let extras = db::clock::extras(conn, row.id).await?;
    let explained = row.explain_due(
        extras.pauses(),
        &*state.calendar().await?,
        state.config.today(),
    )?;
    Ok(row.into_detail(&parties, &extras, !may_see, explained)?)
}

/// The case `id` if it is in `actor`'s town, whether they see its parties masked, and whether
/// their reading it is logged.
pub(crate) async fn visible_case(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(Arc<CachedCase>, bool, bool)> {
    let cached = state
        .case(id)
        .await?
        .filter(|c| c.row.facts().is_ok_and(|f| workflow::may_read(actor, &f)))
        .ok_or_else(AppError::not_found)?;
    let facts = cached.row.facts()?;
    let masked = !shared::privacy::may_see_parties(actor, &facts);
    let logged = shared::privacy::is_logged_access(actor, &facts);
    Ok((cached, masked, logged))
}

/// Logs a read of unmasked parties.
async fn log_read(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    state
        .log_access(AccessEntry {
            case_id: id,
            user_id: actor.user_id,
            at_ms: now_ms(),
            what: "parties",
        })
        .await
}

/// Reads a case for `actor` (404 if it is not in their town), logging an unmasked read by
/// someone who does not handle it.
pub(crate) async fn read_case(state: &AppState, actor: &Actor, id: i64) -> AppResult<CaseDetail> {
    let (cached, masked, logged) = visible_case(state, actor, id).await?;
    let detail = cached.detail(masked)?.clone();
    if logged {
        log_read(state, actor, id).await?;
    }
    Ok(detail)
}

/// `GET /cases/{id}`: the case's JSON is built once per version and kept.
#[utoipa::path(
    get,
    path = "/api/cases/{id}",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case; parties and free text masked for roles that may not see them", body = CaseDetail),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let (cached, masked, logged) = visible_case(&state, &me.actor, id).await?;
    let json = cached.detail_json(masked)?;
    if logged {
        log_read(&state, &me.actor, id).await?;
    }
    Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
}

/// The 409 answer: the change was not saved; here is the case as it is now.
pub(crate) async fn conflict(state: &AppState, actor: &Actor, id: i64, lang: Lang) -> AppError {
    match read_case(state, actor, id).await {
        Ok(current) => {
            let mut e = ApiError::new(ErrorKind::Conflict, lang);
            e.current = Some(Box::new(current));
            e.into()
        }
        Err(e) => e,
    }
}

/// Moves a case along the closed loop.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/transitions",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "Moved: the case as it is now", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case changed since it was read; `current` holds it now", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn transition(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<TransitionRequest>,
) -> AppResult<Json<CaseDetail>> {
    let now_ms = now_ms();
    let mut wtx = state.db.begin_write().await?;
    let conn: &mut AnyConnection = &mut wtx.tx;
    let row = db::cases::by_id(conn, id)
        .await?
        .filter(|r| r.facts().is_ok_and(|f| workflow::may_read(&me.actor, &f)))
        .ok_or_else(AppError::not_found)?;
    if row.version != req.version {
        drop(wtx);
        return Err(conflict(&state, &me.actor, id, lang).await);
    }
    let state_before = row.state()?;
    // Check before looking anything up (an archive number is taken only for a legal move).
    workflow::check(&req.command, &me.actor, &state_before.facts(), lang)?;
    let today = state.config.today();
    let mut lookups = Lookups {
        now_ms,
        today: Some(today),
        current_handler_name: row.handler_name.clone(),
        ..Lookups::default()
    };
    match &req.command {
        Command::Route {
            handler,
            cooperating,
            ..
        } => {
            lookups.handler_name = handler_name(conn, *handler, row.town_id).await?;
            let days = match handler {
                HandlerRef::Department(id) => db::org::response_days(conn, *id).await?,
                HandlerRef::Mediator(_) => shared::deadline::RESPONSE_DAYS_DEFAULT,
            };
            let days = u16::try_from(days.clamp(1, 60)).unwrap_or(3);
            let calendar = state.calendar().await?;
            lookups.response_due_on = Some(response_due(today, days, &calendar));
            for unit in cooperating {
                let name = handler_name(conn, *unit, row.town_id).await?;
                lookups.cooperating_names.push(name);
            }
        }
        Command::Close { .. } => {
            lookups.category = Some(row.category()?);
            lookups.agreement_in_effect = db::agreements::of_case(conn, id)
                .await?
                .filter(|a| a.effective_on.is_some())
                .map(|a| a.form())
                .transpose()?;
        }
        Command::Archive { .. } => {
            let year = state.config.today().year();
            let n = db::cases::next_archive_no(conn, row.town_id, year).await?;
            let prefix = db::org::town_code(conn, row.town_id)
                .await?
                .unwrap_or_else(|| format!("T{}", row.town_id));
            lookups.archive_no = Some(format!("{prefix}-{year}-{n:04}"));
        }
        _ => {}
    }
    let Applied {
        state: change,
        event,
    } = workflow::apply(&req.command, &me.actor, &state_before, &lookups, lang)?;
    if !db::cases::update_stage(conn, id, req.version, &change).await? {
        drop(wtx);
        return Err(conflict(&state, &me.actor, id, lang).await);
    }
    db::events::insert(
        conn,
        &NewEvent {
            case_id: id,
            at_ms: now_ms,
            actor_id: me.user.id,
            actor_name: me.name(),
            actor_role: me.user.role,
            kind: event.kind,
            from_stage: Some(event.from),
            to_stage: Some(event.to),
            text: event.text.as_deref(),
            details: event.details,
            public: false,
        },
    )
    .await?;
    // A case that leaves handling while suspended (closed with a result) ends its suspension:
    // the card no longer says 中止, and the pause is kept as it stood.
    // A closing schedules the follow-up visit (回访).
    if matches!(req.command, Command::Close { .. }) {
        super::agreements::schedule_follow_up(conn, id, row.town_id, today).await?;
    }
    if change.stage != Stage::InHandling && row.suspended_on.is_some() {
        db::clock::resume(conn, id, today, me.user.id, now_ms).await?;
    }
    notify_move(conn, &me, &row, &change, &req.command, now_ms).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    if workflow::may_read(&me.actor, &change.facts()) {
        return Ok(Json(read_case(&state, &me.actor, id).await?));
    }
    // A department that declined no longer reads the case: it gets the case as it left
    // it, masked, once (what it already saw).
    let cached = state.case(id).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(cached.detail(true)?.clone()))
}

/// Tells the people a move concerns: the units a routing names; the center leads when a
/// handler accepts, declines or closes; the applicants, by text message, of a result.
async fn notify_move(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    before: &CaseRow,
    after: &workflow::CaseState,
    command: &Command,
    now_ms: i64,
) -> AppResult<()> {
    use shared::model::NotificationKind as N;
    let case = Some(before.id);
    let handler_name = before.handler_name.clone().unwrap_or_default();
    match command {
        Command::Route { .. } => {
            let mut people = Vec::new();
            for unit in after.handler.iter().chain(&after.cooperating) {
                people.extend(db::supervision::people_of(conn, *unit).await?);
            }
            let by = after
                .response_due_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            db::supervision::notify(conn, &people, case, N::Routed, &by, now_ms).await?;
        }
        Command::Accept | Command::Decline { .. } | Command::Close { .. }
            if me.user.role != Role::Lead =>
        {
            let kind = match command {
                Command::Accept => N::Accepted,
                Command::Decline { .. } => N::Declined,
                _ => N::Note,
            };
            let text = match command {
                Command::Decline { reason } => format!("{handler_name}:{}", reason.trim()),
                _ => handler_name,
            };
            let leads = db::supervision::leads_of(conn, before.town_id).await?;
            db::supervision::notify(conn, &leads, case, kind, &text, now_ms).await?;
        }
        _ => {}
    }
    if matches!(command, Command::Close { .. } | Command::NotAccept { .. }) {
        let text = match after.outcome {
            Some(outcome) => format!(
                "【综治中心】您反映的事项(案件编号 {})已办结:{}。可凭案件编号和手机号后四位查询。",
                before.code,
                outcome.label(shared::Lang::Zh)
            ),
            None => String::new(),
        };
        for phone in applicant_phones(conn, before.id).await? {
            db::supervision::queue_sms(conn, before.id, &phone, &text, now_ms).await?;
        }
    }
    Ok(())
}

/// The phone numbers of a case's applicants.
async fn applicant_phones(conn: &mut AnyConnection, case_id: i64) -> AppResult<Vec<String>> {
    Ok(db::cases::parties(conn, case_id)
        .await?
        .into_iter()
        .filter(|p| p.side == PartySide::Applicant)
        .filter_map(|p| p.phone)
        .filter(|p| !p.trim().is_empty())
        .collect())
}

/// The name of a handler of this town, if it is one.
async fn handler_name(
    conn: &mut AnyConnection,
    handler: HandlerRef,
    town_id: i64,
) -> AppResult<Option<String>> {
    Ok(match handler {
        HandlerRef::Mediator(id) => db::users::is_mediator_of_town(conn, id, town_id).await?,
        HandlerRef::Department(id) => db::org::department_of_town(conn, id, town_id).await?,
    })
}

/// Adds a note to the timeline: the center lead or the case's handler.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/notes",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "The note as it reads on the timeline", body = CaseEvent),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role may not do this, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the field and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NoteRequest>,
) -> AppResult<(StatusCode, Json<CaseEvent>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn: &mut AnyConnection = &mut wtx.tx;
    let row = db::cases::by_id(conn, id)
        .await?
        .filter(|r| r.facts().is_ok_and(|f| workflow::may_read(&me.actor, &f)))
        .ok_or_else(AppError::not_found)?;
    let facts = row.facts()?;
    if !Act::Note.is_permitted(&me.actor, &facts) {
        return Err(Act::Note.refusal(lang).into());
    }
    let mut c = Checker::new(lang);
    c.required("text", &req.text, NOTE_MAX);
    c.finish()
        .map_err(|fields: Vec<FieldError>| AppError::fields(fields))?;
    let event = db::events::insert(
        conn,
        &NewEvent {
            case_id: id,
            at_ms: now_ms(),
            actor_id: me.user.id,
            actor_name: me.name(),
            actor_role: me.user.role,
            kind: EventKind::Note,
            from_stage: None,
            to_stage: None,
            text: Some(&req.text),
            details: Vec::new(),
            public: req.public,
        },
    )
    .await?;
    // The center hears of the handler's progress; the handler and cooperating units of the
    // center's. The note's text stays on the case (it may name people).
    let people = if me.user.role == Role::Lead {
        let mut people = Vec::new();
        for unit in facts.handler.iter().chain(&facts.cooperating) {
            people.extend(db::supervision::people_of(conn, *unit).await?);
        }
        people
    } else {
        db::supervision::leads_of(conn, row.town_id).await?
    };
    let people: Vec<i64> = people.into_iter().filter(|&u| u != me.user.id).collect();
    let kind = shared::model::NotificationKind::Note;
    db::supervision::notify(
        conn,
        &people,
        Some(id),
        kind,
        me.name(),
        event.at.timestamp_millis(),
    )
    .await?;
    // Public notes show on the status page, which is served from the case cache.
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok((StatusCode::CREATED, Json(event)))
}

/// A case's timeline. For readers who see the parties masked, every note, reason and result
/// text is redacted as the case's free text is; an unmasked read by someone who does not
/// handle the case is logged, as reading the case is.
#[utoipa::path(
    get,
    path = "/api/cases/{id}/timeline",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case's events, oldest first; texts redacted for masked readers", body = Vec<CaseEvent>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn timeline(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Vec<CaseEvent>>> {
    let (cached, masked, logged) = visible_case(&state, &me.actor, id).await?;
    let mut events = {
        let mut conn = state.db.pool.acquire().await?;
        db::events::timeline(&mut conn, id).await?
    };
    if masked {
        let redactor = Redactor::for_parties(&cached.parties);
        for event in &mut events {
            if let Some(text) = &event.text {
                event.text = Some(redactor.redact(text));
            }
        }
    }
    if logged {
        state
            .log_access(AccessEntry {
                case_id: id,
                user_id: me.actor.user_id,
                at_ms: now_ms(),
                what: "timeline",
            })
            .await?;
    }
    Ok(Json(events))
}

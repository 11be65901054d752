//! The mediation room (`shared::mediation`): `/rooms` (the administrator's rooms),
//! `/cases/{id}/sessions` (a case's sessions and 回避; schedule one), `/cases/{id}/exclusions`
//! (record or lift a 回避), `/sessions` (one day of the town, per room and per mediator),
//! `/sessions/{id}` (what the tablet shows), `/sessions/{id}/sheet` (the check-in, the consent
//! and the record, saved whole against its version), `/sessions/{id}/end`, `/sessions/{id}/cancel`.
//!
//! Scheduling and 回避 are the case's handler's and the lead's, while the case is in handling.
//! The sheet is filled in by the session's mediators, the handler or the lead. Everyone who
//! reads the case reads its sessions; the parties' names, and the record's free text, are
//! masked for readers who may not see the parties (a session's own mediators see them: they
//! sit with the parties).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{NaiveDateTime, Utc};
use shared::mediation::{
    CaseSessions, DayQuery, DaySessions, EndSession, NewExclusion, NewSession, Room, RoomChange,
    SaveSheet, SessionDetail, SessionParty, SheetSaved, unready_to_end,
};
use shared::model::{EventKind, Role, SessionOutcome, SessionStatus, Stage};
use shared::privacy::{Redactor, mask_name};
use shared::workflow::{Act, Actor, CaseFacts};
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};
use sqlx::AnyConnection;

use crate::auth::CurrentUser;
use crate::db::cases::CaseRow;
use crate::db::mediation::{self as dbm, Clash, Ending, SessionRow, Which};
use crate::db::{self};
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang};
use crate::routes::clock::{case_for_act, conflict, event};
use crate::routes::now_ms;
use crate::routes::supervision::TwoIds;
use crate::state::{AccessEntry, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", get(rooms).post(add_room))
        .route("/rooms/{id}", put(change_room))
        .route("/cases/{id}/sessions", get(case_sessions).post(schedule))
        .route("/cases/{id}/exclusions", post(exclude))
        .route("/cases/{id}/exclusions/{user}", delete(lift_exclusion))
        .route("/sessions", get(day))
        .route("/sessions/{id}", get(read))
        .route("/sessions/{id}/sheet", put(save_sheet))
        .route("/sessions/{id}/end", post(end))
        .route("/sessions/{id}/cancel", post(cancel))
}

fn field(name: &str, reason: Reason, lang: Lang) -> AppError {
    AppError::fields(vec![FieldError::new(name, reason, lang)])
}

fn other(zh: String, en: String) -> Reason {
    Reason::Other { zh, en }
}

/// The center's local time now.
fn local_now(state: &AppState) -> NaiveDateTime {
    Utc::now()
        .with_timezone(&state.config.timezone())
        .naive_local()
}

fn only_admin(lang: Lang) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "只有系统管理员可以管理调解室。",
            "Only the administrator manages the rooms.",
        ))
        .into()
}

#[utoipa::path(
    get,
    path = "/api/rooms",
    tag = "mediation",
    responses(
        (status = 200, description = "The rooms of the user's town (the administrator: of every town), in use first", body = [Room]),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn rooms(
    State(state): State<AppState>,
    me: CurrentUser,
) -> AppResult<Json<Vec<Room>>> {
    let mut conn = state.db.pool.acquire().await?;
    let town = (me.user.role != Role::Admin).then_some(me.actor.town_id);
    Ok(Json(dbm::rooms(&mut conn, town).await?))
}

/// Checks a room change: a town that exists, a name not taken in it.
async fn check_room(
    conn: &mut AnyConnection,
    change: &RoomChange,
    except: Option<i64>,
    lang: Lang,
) -> AppResult<i64> {
    change.check(lang).map_err(AppError::fields)?;
    let town = change.town_id.unwrap_or(0);
    let is_town = db::org::unit(conn, town)
        .await?
        .is_some_and(|u| u.level == shared::model::OrgLevel::Town.as_str());
    if !is_town {
        return Err(field("town_id", Reason::NoSuchItem, lang));
    }
    if dbm::room_name_taken(conn, town, change.name.trim(), except).await? {
        return Err(field("name", Reason::Duplicate, lang));
    }
    Ok(town)
}

#[utoipa::path(
    post,
    path = "/api/rooms",
    tag = "mediation",
    request_body = RoomChange,
    responses(
        (status = 201, description = "The room is added", body = Room),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages the rooms, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`town_id` not a town, `name` missing, too long or taken in the town, `kind`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_room(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<RoomChange>,
) -> AppResult<(StatusCode, Json<Room>)> {
    if me.user.role != Role::Admin {
        return Err(only_admin(lang));
    }
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let town = check_room(conn, &req, None, lang).await?;
    let id = dbm::insert_room(conn, town, &req).await?;
    let room = dbm::room(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the room just written is missing"))?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(room)))
}

#[utoipa::path(
    put,
    path = "/api/rooms/{id}",
    tag = "mediation",
    params(("id" = i64, Path, description = "The room's id")),
    request_body = RoomChange,
    responses(
        (status = 200, description = "The room is changed (renamed, or taken out of use: its past sessions stay, it takes no new ones)", body = Room),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator manages the rooms, or the request came from another site", body = ApiError),
        (status = 404, description = "No such room", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`town_id` not the room's town, `name` missing, too long or taken, `kind`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_room(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<RoomChange>,
) -> AppResult<Json<Room>> {
    if me.user.role != Role::Admin {
        return Err(only_admin(lang));
    }
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let before = dbm::room(conn, id).await?.ok_or_else(AppError::not_found)?;
    let town = check_room(conn, &req, Some(id), lang).await?;
    if town != before.town_id {
        return Err(field(
            "town_id",
            other(
                "调解室不能移到其他乡镇。".into(),
                "A room cannot move to another town.".into(),
            ),
            lang,
        ));
    }
    dbm::update_room(conn, id, &req).await?;
    let room = dbm::room(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the room just written is missing"))?;
    wtx.commit().await?;
    Ok(Json(room))
}

/// Whether `actor` may schedule for the case now (the handler or the lead, in handling).
fn may_schedule(actor: &Actor, facts: &CaseFacts) -> bool {
    facts.stage == Stage::InHandling && Act::Mediate.is_permitted(actor, facts)
}

/// The case `id` as `me` may read it (404 otherwise).
async fn readable_case(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
) -> AppResult<(CaseRow, CaseFacts)> {
    let row = db::cases::by_id(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let facts = row.facts()?;
    if !shared::workflow::may_read(&me.actor, &facts) {
        return Err(AppError::not_found());
    }
    Ok((row, facts))
}

async fn case_sessions_of(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    row: &CaseRow,
    facts: &CaseFacts,
) -> AppResult<CaseSessions> {
    Ok(CaseSessions {
        sessions: dbm::summaries(conn, Which::Case(row.id)).await?,
        exclusions: dbm::exclusions(conn, row.id).await?,
        may_schedule: may_schedule(&me.actor, facts),
        rooms: dbm::rooms(conn, Some(row.town_id))
            .await?
            .into_iter()
            .filter(|r| r.active)
            .collect(),
        mediators: dbm::mediators_of_town(conn, row.town_id).await?,
    })
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/sessions",
    tag = "mediation",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case's sessions (earliest first) and 回避, with the rooms and mediators for scheduling", body = CaseSessions),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn case_sessions(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<CaseSessions>> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, facts) = readable_case(&mut conn, &me, id).await?;
    Ok(Json(case_sessions_of(&mut conn, &me, &row, &facts).await?))
}

/// The refusal of a booking that clashes, naming each clash.
fn clash_errors(clashes: &[Clash], lang: Lang) -> Vec<FieldError> {
    let mut out = Vec::new();
    for c in clashes {
        let when = format!(
            "{}–{}",
            c.starts_at.format("%Y-%m-%d %H:%M"),
            c.ends_at.format("%H:%M")
        );
        let (name, reason) = match &c.mediator {
            None => (
                "room_id",
                other(
                    format!("{}在 {when} 已安排案件 {} 的调解。", c.room, c.code),
                    format!(
                        "{} is booked {when} for the session of case {}.",
                        c.room, c.code
                    ),
                ),
            ),
            Some(m) => (
                "mediators",
                other(
                    format!("{m}在 {when} 已有案件 {} 的调解({})。", c.code, c.room),
                    format!(
                        "{m} is booked {when} for the session of case {} ({}).",
                        c.code, c.room
                    ),
                ),
            ),
        };
        out.push(FieldError::new(name, reason, lang));
    }
    out
}

/// Checks a booking against the town: the room in use, the mediators who may mediate and are
/// not excluded, the parties of the case, and no clash. `at` prefixes the field names.
async fn check_booking(
    conn: &mut AnyConnection,
    row: &CaseRow,
    req: &NewSession,
    at: &str,
    lang: Lang,
) -> AppResult<()> {
    let mut refused = Vec::new();
    let f = |n: &str| format!("{at}{n}");
    let room = match req.room_id {
        Some(r) => dbm::room(conn, r).await?,
        None => None,
    };
    match &room {
        Some(r) if r.town_id == row.town_id && r.active => {}
        Some(r) if r.town_id == row.town_id => refused.push(FieldError::new(
            f("room_id"),
            other(
                format!("{}已停用。", r.name),
                format!("{} is out of use.", r.name),
            ),
            lang,
        )),
        _ => refused.push(FieldError::new(f("room_id"), Reason::NoSuchItem, lang)),
    }
    let town_mediators = dbm::mediators_of_town(conn, row.town_id).await?;
    if req
        .mediators
        .iter()
        .any(|m| !town_mediators.iter().any(|p| p.id == *m))
    {
        refused.push(FieldError::new(f("mediators"), Reason::NoSuchItem, lang));
    }
    for e in dbm::exclusions(conn, row.id).await? {
        if req.mediators.contains(&e.user_id) {
            refused.push(FieldError::new(
                f("mediators"),
                other(
                    format!("{}已在本案回避({}),不能主持调解。", e.name, e.reason),
                    format!(
                        "{} is excluded from this case (回避: {}) and cannot mediate it.",
                        e.name, e.reason
                    ),
                ),
                lang,
            ));
        }
    }
    let parties = db::cases::parties(conn, row.id).await?;
    if req
        .parties
        .iter()
        .any(|p| usize::try_from(*p).map_or(true, |p| p >= parties.len()))
    {
        refused.push(FieldError::new(f("parties"), Reason::NoSuchItem, lang));
    }
    if !refused.is_empty() {
        return Err(AppError::fields(refused));
    }
    let (Some(start), Some(room)) = (req.starts_at, room) else {
        return Err(AppError::internal("a checked booking without time or room"));
    };
    dbm::lock_bookings(conn, row.town_id).await?;
    let clashes = dbm::clashes(
        conn,
        row.town_id,
        (start, shared::mediation::ends_at(start, req.minutes)),
        room.id,
        &req.mediators,
        None,
    )
    .await?;
    if !clashes.is_empty() {
        let mut errs = clash_errors(&clashes, lang);
        for e in &mut errs {
            e.field = f(&e.field);
        }
        return Err(AppError::fields(errs));
    }
    Ok(())
}

/// Books a checked session: stores it, queues the parties' text messages, and notes it on the
/// case's timeline. Returns its id.
async fn book(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    row: &CaseRow,
    req: &NewSession,
    now: i64,
) -> AppResult<i64> {
    let id = dbm::insert_session(conn, row.id, row.town_id, req, me.user.id, now).await?;
    let summary = dbm::summaries(conn, Which::One(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("the session just written is missing"))?;
    let when = summary.starts_at.format("%Y-%m-%d %H:%M").to_string();
    if req.notify_parties {
        let parties = db::cases::parties(conn, row.id).await?;
        let text = format!(
            "【综治中心】您的事项(案件编号 {})定于{}在{}进行调解,请准时参加;如不能到场,请提前告知调解员。",
            row.code,
            summary.starts_at.format("%-m月%-d日 %H:%M"),
            summary.room.name
        );
        for p in &req.parties {
            let phone = usize::try_from(*p)
                .ok()
                .and_then(|p| parties.get(p))
                .and_then(|p| p.phone.as_deref());
            if let Some(phone) = phone.filter(|p| !p.trim().is_empty()) {
                db::supervision::queue_sms(conn, row.id, phone, &text, now).await?;
            }
        }
    }
    // The mediators booked, other than the one booking, are told (with the time and room).
    let others: Vec<i64> = req
        .mediators
        .iter()
        .copied()
        .filter(|m| *m != me.user.id)
        .collect();
    db::supervision::notify(
        conn,
        &others,
        Some(row.id),
        shared::model::NotificationKind::SessionScheduled,
        &format!("{when} {}", summary.room.name),
        now,
    )
    .await?;
    let names: Vec<String> = summary.mediators.iter().map(|m| m.name.clone()).collect();
    db::events::insert(
        conn,
        &event(
            me,
            row.id,
            now,
            EventKind::SessionScheduled,
            None,
            vec![
                ("when".into(), when),
                ("room".into(), summary.room.name.clone()),
                ("mediators".into(), names.join("、")),
            ],
        ),
    )
    .await?;
    Ok(id)
}

#[utoipa::path(
    post,
    path = "/api/cases/{id}/sessions",
    tag = "mediation",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewSession,
    responses(
        (status = 201, description = "Scheduled (and a text message queued for each invited party with a phone, if asked)", body = SessionDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler or the lead schedules, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`stage` not in handling; `starts_at` missing, before today or over a year ahead; `minutes` not 15–480; `room_id` not a room in use of the town, or booked then; `mediators` none, more than 5, not of the town, excluded (回避) or booked then; `parties` none or not of the case): a clash names the case and the time", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn schedule(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewSession>,
) -> AppResult<(StatusCode, Json<SessionDetail>)> {
    req.check(local_now(&state), lang)
        .map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Mediate, lang).await?;
    if facts.stage != Stage::InHandling {
        return Err(not_in_handling(lang));
    }
    check_booking(conn, &row, &req, "", lang).await?;
    let now = now_ms();
    let session = book(conn, &me, &row, &req, now).await?;
    let detail = detail(conn, &me, session).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state
        .commit_case_change(wtx, row.town_id, row.id, rev)
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

fn not_in_handling(lang: Lang) -> AppError {
    field(
        "stage",
        other(
            "案件接收办理后才能安排调解。".into(),
            "Sessions are scheduled once the case is accepted for handling.".into(),
        ),
        lang,
    )
}

#[utoipa::path(
    post,
    path = "/api/cases/{id}/exclusions",
    tag = "mediation",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewExclusion,
    responses(
        (status = 201, description = "Recorded: the mediator is refused for the case's sessions", body = CaseSessions),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler or the lead records 回避, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`user_id` not a mediator of the town, excluded already, or booked on a session of the case still to come — cancel it first; `reason` missing or too long)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn exclude(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewExclusion>,
) -> AppResult<(StatusCode, Json<CaseSessions>)> {
    req.check(lang).map_err(AppError::fields)?;
    let user = req.user_id.unwrap_or(0);
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Mediate, lang).await?;
    if !facts.stage.is_open() {
        return Err(field(
            "stage",
            other(
                "已办结的案件不能再记录回避。".into(),
                "A closed case takes no 回避.".into(),
            ),
            lang,
        ));
    }
    let Some(person) = dbm::mediators_of_town(conn, row.town_id)
        .await?
        .into_iter()
        .find(|p| p.id == user)
    else {
        return Err(field("user_id", Reason::NoSuchItem, lang));
    };
    if dbm::exclusions(conn, id)
        .await?
        .iter()
        .any(|e| e.user_id == user)
    {
        return Err(field("user_id", Reason::Duplicate, lang));
    }
    if let Some(at) = dbm::live_sessions_of(conn, id, user).await?.first() {
        let when = at.format("%Y-%m-%d %H:%M");
        return Err(field(
            "user_id",
            other(
                format!("{}已安排主持 {when} 的调解,请先取消该次调解。", person.name),
                format!(
                    "{} is booked to mediate the session of {when}: cancel it first.",
                    person.name
                ),
            ),
            lang,
        ));
    }
    let now = now_ms();
    dbm::insert_exclusion(conn, id, user, &req.reason, me.user.id, now).await?;
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::ExclusionRecorded,
            Some(req.reason.trim()),
            vec![("mediator".into(), person.name.clone())],
        ),
    )
    .await?;
    let out = case_sessions_of(conn, &me, &row, &facts).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    delete,
    path = "/api/cases/{id}/exclusions/{user}",
    tag = "mediation",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("user" = i64, Path, description = "The excluded mediator's user id"),
    ),
    responses(
        (status = 200, description = "Lifted (recorded by mistake): the mediator may be booked again", body = CaseSessions),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler or the lead lifts a 回避, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or no such 回避 on it", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn lift_exclusion(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    TwoIds(id, user): TwoIds,
) -> AppResult<Json<CaseSessions>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Mediate, lang).await?;
    if !dbm::delete_exclusion(conn, id, user).await? {
        return Err(AppError::not_found());
    }
    let out = case_sessions_of(conn, &me, &row, &facts).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok(Json(out))
}

#[utoipa::path(
    get,
    path = "/api/sessions",
    tag = "mediation",
    params(DayQuery),
    responses(
        (status = 200, description = "The town's sessions of the day (today when none is given), earliest first, with its rooms: the day view per room and per mediator", body = DaySessions),
        (status = 422, description = "`day` is not a real date (`YYYY-MM-DD`)", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "The administrator works for no single town", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn day(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(q): AppQuery<DayQuery>,
) -> AppResult<Json<DaySessions>> {
    if me.user.role == Role::Admin {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "调解日程按乡镇查看;系统管理员不属于任何乡镇。",
                "The day's sessions are a town's; the administrator works for no single town.",
            ))
            .into());
    }
    let day = q.day.unwrap_or_else(|| state.config.today());
    let town = me.actor.town_id;
    let mut conn = state.db.pool.acquire().await?;
    let sessions = dbm::summaries(&mut conn, Which::Day(town, day)).await?;
    let rooms = dbm::rooms(&mut conn, Some(town))
        .await?
        .into_iter()
        .filter(|r| r.active || sessions.iter().any(|s| s.room.id == r.id))
        .collect();
    Ok(Json(DaySessions {
        day,
        rooms,
        sessions,
    }))
}

/// Who the reader is to a session.
struct Access {
    /// The reader sees the parties unmasked.
    sees_parties: bool,
    /// The reader may fill in the sheet and end or cancel the session.
    may_record: bool,
    /// The reader's seeing the parties is logged (they do not handle the case).
    logged: bool,
}

async fn access(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    row: &SessionRow,
) -> AppResult<(CaseRow, Access)> {
    let case = db::cases::by_id(conn, row.case_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let facts = case.facts()?;
    let mediates = dbm::mediators(conn, row.id)
        .await?
        .iter()
        .any(|m| m.id == me.user.id);
    // `may_read` keeps to the reader's town (a county officer reads every town's, masked); a
    // session's mediator reads the cases of their own town's sessions.
    let mediates = mediates && me.actor.town_id == row.town_id;
    if !(shared::workflow::may_read(&me.actor, &facts) || mediates) {
        return Err(AppError::not_found());
    }
    let handles = facts.is_handled_by(&me.actor);
    let lead = me.user.role == Role::Lead;
    let sees_parties = shared::privacy::may_see_parties(&me.actor, &facts) || mediates;
    Ok((
        case,
        Access {
            sees_parties,
            may_record: mediates || handles || lead,
            logged: sees_parties && !handles,
        },
    ))
}

/// The whole session as `me` may see it.
async fn detail(conn: &mut AnyConnection, me: &CurrentUser, id: i64) -> AppResult<SessionDetail> {
    let row = dbm::session(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (case, access) = access(conn, me, &row).await?;
    build(conn, &row, &case, &access).await
}

async fn build(
    conn: &mut AnyConnection,
    row: &SessionRow,
    case: &CaseRow,
    access: &Access,
) -> AppResult<SessionDetail> {
    let summary = dbm::summaries(conn, Which::One(row.id))
        .await?
        .pop()
        .ok_or_else(AppError::not_found)?;
    let all_parties = db::cases::parties(conn, case.id).await?;
    let mut sheet = dbm::sheet(conn, row).await?;
    let masked = !access.sees_parties;
    // The parties' names, and the names of who came for them, are masked in the free text.
    let redactor = Redactor::for_names(
        all_parties
            .iter()
            .filter(|p| p.kind != shared::model::PartyKind::Organisation)
            .map(|p| p.name.as_str())
            .chain(sheet.attendance.iter().map(|a| a.represented_by.as_str())),
    );
    let shown = |s: &str| {
        if masked {
            redactor.redact(s)
        } else {
            s.to_owned()
        }
    };
    let parties = sheet
        .attendance
        .iter()
        .filter_map(|a| {
            let p = all_parties.get(usize::try_from(a.position).ok()?)?;
            let name = if masked && p.kind == shared::model::PartyKind::Person {
                mask_name(&p.name)
            } else {
                p.name.clone()
            };
            Some(SessionParty {
                position: a.position,
                side: p.side,
                name,
                masked,
            })
        })
        .collect();
    if masked {
        for a in &mut sheet.attendance {
            a.represented_by = mask_name(&a.represented_by);
        }
        for t in &mut sheet.turns {
            t.text = redactor.redact(&t.text);
        }
    }
    Ok(SessionDetail {
        summary,
        case_kind: db::parse_enum("kind", &case.kind)?,
        stage: case.stage()?,
        case_summary: shown(&case.summary),
        facts: shown(&case.facts),
        request: shown(&case.request),
        parties,
        sheet,
        version: row.version,
        route: row.route()?,
        note: shown(&row.end_note),
        ended_at: row.ended_at.map(db::from_millis),
        next_session_id: row.next_session_id,
        may_record: access.may_record,
    })
}

#[utoipa::path(
    get,
    path = "/api/sessions/{id}",
    tag = "mediation",
    params(("id" = i64, Path, description = "The session's id")),
    responses(
        (status = 200, description = "The session: time, room, mediators, the parties invited with their check-in, the record, the case facts at hand (masked for readers who may not see the parties)", body = SessionDetail),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such session, or its case is not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<SessionDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    let row = dbm::session(&mut conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (case, access) = access(&mut conn, &me, &row).await?;
    let out = build(&mut conn, &row, &case, &access).await?;
    if access.logged {
        state
            .log_access(AccessEntry {
                case_id: case.id,
                user_id: me.user.id,
                at_ms: now_ms(),
                what: "session",
            })
            .await?;
    }
    Ok(Json(out))
}

fn not_yours(lang: Lang) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "只有本次调解的调解员、案件承办人或中心负责人可以记录调解。",
            "Only the session's mediators, the case's handler or the lead record a session.",
        ))
        .into()
}

/// The session for a change by `me`: theirs to record (else 403), in one of `statuses`.
async fn for_change(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
    lang: Lang,
) -> AppResult<(SessionRow, CaseRow, Access)> {
    let row = dbm::session(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (case, access) = access(conn, me, &row).await?;
    if !access.may_record {
        return Err(not_yours(lang));
    }
    Ok((row, case, access))
}

fn closed_session(status: SessionStatus, lang: Lang) -> AppError {
    conflict(
        &format!("本次调解{},不能再修改。", status.label(Lang::Zh)),
        &format!(
            "This session is {}: it can no longer change.",
            status.label(Lang::En).to_lowercase()
        ),
        lang,
    )
}

#[utoipa::path(
    put,
    path = "/api/sessions/{id}/sheet",
    tag = "mediation",
    params(("id" = i64, Path, description = "The session's id")),
    request_body = SaveSheet,
    responses(
        (status = 200, description = "Saved: the new version (a saved start moves the session to in progress)", body = SheetSaved),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the session's mediators, the case's handler or the lead record it, or the request came from another site", body = ApiError),
        (status = 404, description = "No such session, or its case is not visible to this user", body = ApiError),
        (status = 409, description = "The sheet changed since `version` (on another device), or the session has ended or was cancelled: read it again and choose", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`started_at` in the future; `attendance[i].position` not invited or twice, `attendance[i].represented_by` missing when represented or too long; `turns` more than 1000; `turns[i].speaker` not of the session, `turns[i].text` too long or with control characters)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn save_sheet(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<SaveSheet>,
) -> AppResult<Json<SheetSaved>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, _, _) = for_change(conn, &me, id, lang).await?;
    let status = row.status()?;
    if !matches!(status, SessionStatus::Scheduled | SessionStatus::InProgress) {
        return Err(closed_session(status, lang));
    }
    let positions: Vec<u32> = dbm::check_ins(conn, id)
        .await?
        .iter()
        .map(|c| c.position)
        .collect();
    let mediators: Vec<i64> = dbm::mediators(conn, id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    req.sheet
        .check(&positions, &mediators, Utc::now(), lang)
        .map_err(AppError::fields)?;
    if !dbm::save_sheet(conn, id, req.version, &req.sheet).await? {
        return Err(conflict(
            "调解记录已在其他设备上更改,请对照后选择保留哪一份。",
            "The record was changed on another device since: compare the two and choose.",
            lang,
        ));
    }
    let saved = dbm::session(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the session just saved is missing"))?;
    wtx.commit().await?;
    Ok(Json(SheetSaved {
        version: saved.version,
        status: saved.status()?,
    }))
}

#[utoipa::path(
    post,
    path = "/api/sessions/{id}/end",
    tag = "mediation",
    params(("id" = i64, Path, description = "The session's id")),
    request_body = EndSession,
    responses(
        (status = 200, description = "Ended with its outcome (and the next session scheduled when the mediation continues later); noted on the case's timeline", body = SessionDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the session's mediators, the case's handler or the lead end it, or the request came from another site", body = ApiError),
        (status = 404, description = "No such session, or its case is not visible to this user", body = ApiError),
        (status = 409, description = "Changed since `version`, or not in progress", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`outcome`; `route` missing or not arbitration, administrative or litigation when terminated; `next.*` for the next session, as when scheduling; `note`; `consent_read`, `attendance.N`: the rights not read or a party not checked in)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn end(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<EndSession>,
) -> AppResult<Json<SessionDetail>> {
    req.check(local_now(&state), lang)
        .map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, case, access) = for_change(conn, &me, id, lang).await?;
    let status = row.status()?;
    if status != SessionStatus::InProgress {
        return Err(if status == SessionStatus::Scheduled {
            field(
                "consent_read",
                other(
                    "请先向当事人宣读权利告知并开始调解。".into(),
                    "Read the parties their rights and begin the session first.".into(),
                ),
                lang,
            )
        } else {
            closed_session(status, lang)
        });
    }
    if row.version != req.version {
        return Err(conflict(
            "调解记录已在其他设备上更改,请刷新后再结束调解。",
            "The session changed on another device: reload it, then end it.",
            lang,
        ));
    }
    let sheet = dbm::sheet(conn, &row).await?;
    let positions: Vec<u32> = sheet.attendance.iter().map(|a| a.position).collect();
    let unready = unready_to_end(&sheet, &positions, lang);
    if !unready.is_empty() {
        return Err(AppError::fields(unready));
    }
    if !db::cases::take_for_change(conn, case.id).await? {
        return Err(AppError::not_found());
    }
    let now = now_ms();
    let next = match (&req.next, req.outcome) {
        (Some(next), Some(SessionOutcome::Continued)) => {
            check_booking(conn, &case, next, "next.", lang).await?;
            Some(book(conn, &me, &case, next, now).await?)
        }
        _ => None,
    };
    let outcome = req
        .outcome
        .ok_or_else(|| AppError::internal("a checked ending without its outcome"))?;
    let ending = Ending {
        outcome,
        route: req.route,
        next,
        note: &req.note,
    };
    if !dbm::end(conn, id, req.version, &ending, now).await? {
        return Err(conflict(
            "调解记录已在其他设备上更改,请刷新后再结束调解。",
            "The session changed on another device: reload it, then end it.",
            lang,
        ));
    }
    let present = sheet
        .attendance
        .iter()
        .filter(|a| a.attendance != shared::model::Attendance::Absent)
        .count();
    let mut details = vec![
        ("outcome".into(), outcome.label(Lang::Zh).to_owned()),
        (
            "parties".into(),
            format!("{present}/{}", sheet.attendance.len()),
        ),
        ("turns".into(), sheet.turns.len().to_string()),
    ];
    if let Some(route) = req.route {
        details.push(("route".into(), route.label(Lang::Zh).to_owned()));
    }
    let note = req.note.trim();
    db::events::insert(
        conn,
        &event(
            &me,
            case.id,
            now,
            EventKind::SessionHeld,
            (!note.is_empty()).then_some(note),
            details,
        ),
    )
    .await?;
    let row = dbm::session(conn, id).await?.unwrap_or(row);
    let out = build(conn, &row, &case, &access).await?;
    let rev = db::cases::bump_town(conn, case.town_id).await?;
    state
        .commit_case_change(wtx, case.town_id, case.id, rev)
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/sessions/{id}/cancel",
    tag = "mediation",
    params(("id" = i64, Path, description = "The session's id")),
    responses(
        (status = 200, description = "Cancelled: the room and the mediators are free again; noted on the case's timeline", body = SessionDetail),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler or the lead cancels, or the request came from another site", body = ApiError),
        (status = 404, description = "No such session, or its case is not visible to this user", body = ApiError),
        (status = 409, description = "The session has begun, ended or was cancelled already", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<SessionDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = dbm::session(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (case, _) = case_for_act(conn, &me, row.case_id, Act::Mediate, lang).await?;
    let status = row.status()?;
    if !dbm::cancel(conn, id).await? {
        return Err(closed_session(status, lang));
    }
    let (start, _) = row.times()?;
    let when = start.format("%Y-%m-%d %H:%M").to_string();
    let others: Vec<i64> = dbm::mediators(conn, id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .filter(|m| *m != me.user.id)
        .collect();
    db::supervision::notify(
        conn,
        &others,
        Some(case.id),
        shared::model::NotificationKind::SessionCancelled,
        &when,
        now_ms(),
    )
    .await?;
    db::events::insert(
        conn,
        &event(
            &me,
            case.id,
            now_ms(),
            EventKind::SessionCancelled,
            None,
            vec![("when".into(), when)],
        ),
    )
    .await?;
    let row = dbm::session(conn, id).await?.unwrap_or(row);
    let (_, access) = access(conn, &me, &row).await?;
    let out = build(conn, &row, &case, &access).await?;
    let rev = db::cases::bump_town(conn, case.town_id).await?;
    state
        .commit_case_change(wtx, case.town_id, case.id, rev)
        .await?;
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clash_names_the_room_or_the_mediator_the_case_and_the_time() {
        let at = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap_or_default()
        };
        let clash = |mediator: Option<&str>| Clash {
            mediator: mediator.map(str::to_owned),
            code: "ZZ-202612-ABCD".into(),
            room: "第一调解室".into(),
            starts_at: at(9),
            ends_at: at(10),
        };
        let errs = clash_errors(&[clash(None), clash(Some("张调解"))], Lang::En);
        assert_eq!(errs[0].field, "room_id");
        assert_eq!(
            errs[0].message,
            "第一调解室 is booked 2026-12-10 09:00–10:00 for the session of case ZZ-202612-ABCD."
        );
        assert_eq!(errs[1].field, "mediators");
        assert!(errs[1].message.starts_with("张调解 is booked"));
    }
}

//! Joint meetings (联席会议, `shared::meetings`): `/meetings` (list, schedule),
//! `/meetings/{id}` (the whole meeting), `/meetings/{id}/items` (add a case to the agenda by
//! its code), `/meetings/{id}/items/{item}` (take it off), `/meetings/{id}/decisions` (who does
//! what by when: an urging on the case, or a task on its timeline), `/meetings/{id}/held` (who
//! came, and the minutes).
//!
//! The center's lead convenes and records; the clerks, the town leaders and the administrator
//! read every meeting of the town; a department's liaison, or a person invited, reads the
//! meetings they are invited to and, of the agenda, only the cases their department (or they)
//! handle or cooperate on. The agenda shows no party and no case text.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use shared::meetings::{
    AGENDA_MAX, AddItem, AgendaItem, Decision, HoldMeeting, MeetingDetail, MeetingSummary,
    NewDecision, NewMeeting,
};
use shared::model::{
    AgendaReason, EventKind, HandlerRef, MeetingStatus, NotificationKind, Role, Stage,
};
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};
use sqlx::AnyConnection;

use crate::auth::CurrentUser;
use crate::db::meetings::{self as dbm, MeetingRow, Which};
use crate::db::{self, date_text, parse_date};
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::clock::{conflict, event};
use crate::routes::now_ms;
use crate::routes::supervision::TwoIds;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(read))
        .route("/meetings/{id}/items", post(add_item))
        .route("/meetings/{id}/items/{item}", delete(remove_item))
        .route("/meetings/{id}/decisions", post(decide))
        .route("/meetings/{id}/held", post(held))
}

/// Who reads a meeting, and how much of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Every item (the center and the town's leaders).
    Whole,
    /// A department's liaison: their department's cases.
    Department(i64),
    /// A person invited (a mediator): their own cases.
    Person(i64),
}

fn reader(me: &CurrentUser) -> Option<Reader> {
    match me.user.role {
        Role::Lead | Role::Clerk | Role::TownLeader | Role::Admin => Some(Reader::Whole),
        Role::Liaison => me.actor.department_id.map(Reader::Department),
        Role::Mediator => Some(Reader::Person(me.user.id)),
        _ => None,
    }
}

impl Reader {
    /// Whether this reader sees a case handled by `handler` with `cooperating` units.
    fn sees(self, handler: Option<HandlerRef>, cooperating: &str) -> bool {
        let unit = match self {
            Reader::Whole => return true,
            Reader::Department(d) => HandlerRef::Department(d),
            Reader::Person(u) => HandlerRef::Mediator(u),
        };
        handler == Some(unit) || cooperating.split(',').any(|c| c == unit.to_string())
    }
}

fn not_for_you(lang: Lang) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "只有中心负责人可以召集联席会议和记录决定。",
            "Only the center's lead convenes joint meetings and records their decisions.",
        ))
        .into()
}

fn field(name: &str, reason: Reason, lang: Lang) -> AppError {
    AppError::fields(vec![FieldError::new(name, reason, lang)])
}

/// The meeting, if it is of the reader's town and the reader may read it.
async fn readable(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
    lang: Lang,
) -> AppResult<(MeetingRow, Reader)> {
    let Some(reader) = reader(me) else {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "联席会议只对中心、包村领导和受邀的部门、人员开放。",
                "Joint meetings are for the center, the town leaders and those invited.",
            ))
            .into());
    };
    let row = dbm::by_id(conn, id)
        .await?
        .filter(|m| m.town_id == me.actor.town_id)
        .ok_or_else(AppError::not_found)?;
    let invited = match reader {
        Reader::Whole => true,
        Reader::Department(d) => dbm::invites_department(conn, id, d).await?,
        Reader::Person(u) => dbm::invites_person(conn, id, u).await?,
    };
    if !invited {
        return Err(AppError::not_found());
    }
    Ok((row, reader))
}

/// The names of the town's handlers.
async fn handler_names(
    conn: &mut AnyConnection,
    town_id: i64,
) -> AppResult<HashMap<HandlerRef, String>> {
    let names = db::figures::names(conn, town_id).await?;
    let mut out: HashMap<HandlerRef, String> = HashMap::new();
    out.extend(
        names
            .users
            .into_iter()
            .map(|(id, n)| (HandlerRef::Mediator(id), n)),
    );
    out.extend(
        names
            .departments
            .into_iter()
            .map(|(id, n)| (HandlerRef::Department(id), n)),
    );
    Ok(out)
}

/// The whole meeting as `reader` may see it.
async fn detail(
    state: &AppState,
    conn: &mut AnyConnection,
    row: &MeetingRow,
    reader: Reader,
) -> AppResult<MeetingDetail> {
    let today = state.config.today();
    let names = handler_names(conn, row.town_id).await?;
    let (departments, people) = dbm::invitees(conn, row.id).await?;
    let stored = dbm::items(conn, row.id).await?;
    let ids: Vec<i64> = stored.iter().map(|(_, case, _)| *case).collect();
    let cases = dbm::agenda_cases(conn, row.town_id, Which::Ids(&ids), today, &names).await?;
    let by_case: HashMap<i64, &dbm::AgendaCase> =
        cases.iter().map(|c| (c.item.case_id, c)).collect();
    let mut items = Vec::new();
    let mut other_items = 0u32;
    for (item_id, case_id, reasons) in &stored {
        let Some(case) = by_case.get(case_id) else {
            continue;
        };
        if !reader.sees(case.handler, &case.cooperating) {
            other_items += 1;
            continue;
        }
        items.push(AgendaItem {
            id: *item_id,
            reasons: reasons.clone(),
            ..case.item.clone()
        });
    }
    let visible: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut decisions = Vec::new();
    for d in dbm::decisions(conn, row.id).await? {
        if !visible.contains(&d.item_id) {
            continue;
        }
        let who = db::cases::handler_of(Some(&d.who_kind), Some(d.who_id))?
            .ok_or_else(|| AppError::internal("a decision without its unit"))?;
        decisions.push(Decision {
            id: d.id,
            item_id: d.item_id,
            case_id: d.case_id,
            code: d.code,
            who,
            who_name: names.get(&who).cloned().unwrap_or_default(),
            what: d.what,
            due_on: parse_date(&d.due_on)?,
            urged: d.urging_id.is_some(),
            decided_by: d.decided_by,
            decided_at: db::from_millis(d.decided_at),
        });
    }
    let (from, to) = row.period()?;
    let (from_ms, until_ms) = state.config.day_bounds(Some(from), Some(to));
    let docking = dbm::docking(
        conn,
        row.town_id,
        from_ms.unwrap_or(i64::MIN),
        until_ms.unwrap_or(i64::MAX),
    )
    .await?;
    let status = row.status()?;
    let candidates = if reader == Reader::Whole && status == MeetingStatus::Scheduled {
        dbm::agenda_cases(
            conn,
            row.town_id,
            Which::Candidates { limit: AGENDA_MAX },
            today,
            &names,
        )
        .await?
        .into_iter()
        .filter(|c| !ids.contains(&c.item.case_id))
        .map(|c| c.item)
        .collect()
    } else {
        Vec::new()
    };
    let convened_by =
        sqlx::query_scalar::<_, String>("SELECT display_name FROM users WHERE id = $1")
            .bind(row.created_by)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_default();
    Ok(MeetingDetail {
        id: row.id,
        title: row.title.clone(),
        starts_at: row.starts()?,
        place: row.place.clone(),
        period_from: from,
        period_to: to,
        status,
        convened_by,
        minutes: row.minutes.clone(),
        version: row.version,
        departments,
        people,
        items,
        other_items,
        decisions,
        docking,
        candidates,
    })
}

#[utoipa::path(
    get,
    path = "/api/meetings",
    tag = "meetings",
    responses(
        (status = 200, description = "The town's joint meetings, latest first (for a liaison or a person: those they are invited to)", body = [MeetingSummary]),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Joint meetings are for the center, the town leaders and those invited", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<MeetingSummary>>> {
    let Some(reader) = reader(&me) else {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "联席会议只对中心、包村领导和受邀的部门、人员开放。",
                "Joint meetings are for the center, the town leaders and those invited.",
            ))
            .into());
    };
    let town = me.actor.town_id;
    let mut conn = state.db.pool.acquire().await?;
    let counts = dbm::counts(&mut conn, town).await?;
    let mut out = Vec::new();
    for row in dbm::of_town(&mut conn, town).await? {
        let invited = match reader {
            Reader::Whole => true,
            Reader::Department(d) => dbm::invites_department(&mut conn, row.id, d).await?,
            Reader::Person(u) => dbm::invites_person(&mut conn, row.id, u).await?,
        };
        if !invited {
            continue;
        }
        let (departments, _) = dbm::invitees(&mut conn, row.id).await?;
        let (items, decisions) = counts.get(&row.id).copied().unwrap_or_default();
        let (items, decisions) = if reader == Reader::Whole {
            (items, decisions)
        } else {
            let d = detail(&state, &mut conn, &row, reader).await?;
            (
                u32::try_from(d.items.len()).unwrap_or(0),
                u32::try_from(d.decisions.len()).unwrap_or(0),
            )
        };
        out.push(MeetingSummary {
            id: row.id,
            title: row.title.clone(),
            starts_at: row.starts()?,
            place: row.place.clone(),
            status: row.status()?,
            departments: departments.into_iter().map(|d| d.name).collect(),
            items,
            decisions,
        });
    }
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/meetings",
    tag = "meetings",
    request_body = NewMeeting,
    responses(
        (status = 201, description = "Scheduled, with its agenda drawn from the cases that need it (overdue, high risk, declined twice or more, escalated)", body = MeetingDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead convenes, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`title`, `starts_at`, `place`, `period_from`, `period_to`, `departments`, `people`: a department or person not of the town)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<NewMeeting>,
) -> AppResult<(StatusCode, Json<MeetingDetail>)> {
    if me.user.role != Role::Lead {
        return Err(not_for_you(lang));
    }
    req.check(lang).map_err(AppError::fields)?;
    let town = me.actor.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let mut refused = Vec::new();
    if !dbm::foreign_departments(conn, town, &req.departments)
        .await?
        .is_empty()
    {
        refused.push(FieldError::new("departments", Reason::NoSuchItem, lang));
    }
    if !dbm::foreign_people(conn, town, &req.people)
        .await?
        .is_empty()
    {
        refused.push(FieldError::new("people", Reason::NoSuchItem, lang));
    }
    if !refused.is_empty() {
        return Err(AppError::fields(refused));
    }
    let now = now_ms();
    let id = dbm::insert(conn, town, &req, me.user.id, now).await?;
    let names = handler_names(conn, town).await?;
    let today = state.config.today();
    for case in dbm::agenda_cases(
        conn,
        town,
        Which::Candidates { limit: AGENDA_MAX },
        today,
        &names,
    )
    .await?
    {
        dbm::insert_item(conn, id, case.item.case_id, &case.item.reasons, me.user.id).await?;
    }
    let row = dbm::by_id(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the meeting just written is missing"))?;
    let detail = detail(&state, conn, &row, Reader::Whole).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(
    get,
    path = "/api/meetings/{id}",
    tag = "meetings",
    params(("id" = i64, Path, description = "The meeting's id")),
    responses(
        (status = 200, description = "The meeting: invitees, agenda (a liaison's or a person's own cases only), decisions, 三调对接, and for the center the cases that need it and are not on the agenda", body = MeetingDetail),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Joint meetings are for the center, the town leaders and those invited", body = ApiError),
        (status = 404, description = "No such meeting in the town, or not invited", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<MeetingDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, reader) = readable(&mut conn, &me, id, lang).await?;
    Ok(Json(detail(&state, &mut conn, &row, reader).await?))
}

/// The meeting for the lead's change: of the town, and still to be held (when `scheduled`).
async fn for_change(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
    scheduled: bool,
    lang: Lang,
) -> AppResult<MeetingRow> {
    if me.user.role != Role::Lead {
        return Err(not_for_you(lang));
    }
    let row = dbm::by_id(conn, id)
        .await?
        .filter(|m| m.town_id == me.actor.town_id)
        .ok_or_else(AppError::not_found)?;
    if scheduled && row.status()? != MeetingStatus::Scheduled {
        return Err(conflict(
            "会议已召开,议程不再更改。",
            "The meeting was held: its agenda no longer changes.",
            lang,
        ));
    }
    Ok(row)
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/items",
    tag = "meetings",
    params(("id" = i64, Path, description = "The meeting's id")),
    request_body = AddItem,
    responses(
        (status = 201, description = "The case is on the agenda (reason `added`, with any it has)", body = MeetingDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead changes the agenda, or the request came from another site", body = ApiError),
        (status = 404, description = "No such meeting in the town", body = ApiError),
        (status = 409, description = "The meeting was held", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`code`: no such case in the town, already on the agenda, or the agenda is full", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_item(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<AddItem>,
) -> AppResult<(StatusCode, Json<MeetingDetail>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = for_change(conn, &me, id, true, lang).await?;
    let code = req.code.trim();
    let case_id = match db::cases::id_by_code(conn, code).await? {
        Some(case) if db::cases::town_of(conn, case).await? == Some(row.town_id) => case,
        _ => return Err(field("code", Reason::NoSuchItem, lang)),
    };
    if dbm::item_count(conn, id).await? >= i64::try_from(AGENDA_MAX).unwrap_or(i64::MAX) {
        return Err(field(
            "code",
            Reason::Other {
                zh: format!("议程最多 {AGENDA_MAX} 项。"),
                en: format!("An agenda holds at most {AGENDA_MAX} items."),
            },
            lang,
        ));
    }
    let names = handler_names(conn, row.town_id).await?;
    let today = state.config.today();
    let mut reasons = dbm::agenda_cases(conn, row.town_id, Which::Ids(&[case_id]), today, &names)
        .await?
        .pop()
        .map(|c| c.item.reasons)
        .unwrap_or_default();
    reasons.insert(0, AgendaReason::Added);
    if dbm::insert_item(conn, id, case_id, &reasons, me.user.id)
        .await?
        .is_none()
    {
        return Err(field(
            "code",
            Reason::Other {
                zh: "该案件已在议程中。".into(),
                en: "This case is on the agenda already.".into(),
            },
            lang,
        ));
    }
    dbm::touch(conn, id).await?;
    let row = dbm::by_id(conn, id).await?.unwrap_or(row);
    let detail = detail(&state, conn, &row, Reader::Whole).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(
    delete,
    path = "/api/meetings/{id}/items/{item}",
    tag = "meetings",
    params(
        ("id" = i64, Path, description = "The meeting's id"),
        ("item" = i64, Path, description = "The agenda item's id"),
    ),
    responses(
        (status = 200, description = "The item is off the agenda", body = MeetingDetail),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead changes the agenda, or the request came from another site", body = ApiError),
        (status = 404, description = "No such meeting or item", body = ApiError),
        (status = 409, description = "The meeting was held, or a decision was recorded on the item", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn remove_item(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    TwoIds(id, item): TwoIds,
) -> AppResult<Json<MeetingDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = for_change(conn, &me, id, true, lang).await?;
    if dbm::item_case(conn, id, item).await?.is_none() {
        return Err(AppError::not_found());
    }
    if dbm::item_decided(conn, item).await? {
        return Err(conflict(
            "该议题已有决定,不能移出议程。",
            "A decision was recorded on this item: it stays on the agenda.",
            lang,
        ));
    }
    dbm::delete_item(conn, id, item).await?;
    dbm::touch(conn, id).await?;
    let row = dbm::by_id(conn, id).await?.unwrap_or(row);
    let detail = detail(&state, conn, &row, Reader::Whole).await?;
    wtx.commit().await?;
    Ok(Json(detail))
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/decisions",
    tag = "meetings",
    params(("id" = i64, Path, description = "The meeting's id")),
    request_body = NewDecision,
    responses(
        (status = 201, description = "Recorded: on the case's timeline (联席会议决定), and an urging to its handler when one holds it (else a task for who must act), who are notified", body = MeetingDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead records decisions, or the request came from another site", body = ApiError),
        (status = 404, description = "No such meeting in the town", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`item_id` not on the agenda, `who` not a mediator or department of the town, `what`, `due_on`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn decide(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewDecision>,
) -> AppResult<(StatusCode, Json<MeetingDetail>)> {
    let today = state.config.today();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = for_change(conn, &me, id, false, lang).await?;
    let mut refused = match req.check(today, lang) {
        Ok(()) => Vec::new(),
        Err(fields) => fields,
    };
    let case_id = dbm::item_case(conn, id, req.item_id).await?;
    if case_id.is_none() {
        refused.push(FieldError::new("item_id", Reason::NoSuchItem, lang));
    }
    let names = handler_names(conn, row.town_id).await?;
    let who_name = names.get(&req.who).cloned();
    let is_unit = match req.who {
        HandlerRef::Mediator(u) => {
            who_name.is_some()
                && sqlx::query_scalar::<_, String>(
                    "SELECT role FROM users WHERE id = $1 AND active = 1",
                )
                .bind(u)
                .fetch_optional(&mut **conn)
                .await?
                .is_some_and(|r| r == Role::Mediator.as_str())
        }
        HandlerRef::Department(_) => who_name.is_some(),
    };
    if !is_unit {
        refused.push(FieldError::new("who", Reason::NoSuchItem, lang));
    }
    let (Some(case_id), Some(who_name), true) = (case_id, who_name, refused.is_empty()) else {
        return Err(AppError::fields(refused));
    };
    if !db::cases::take_for_change(conn, case_id).await? {
        return Err(AppError::not_found());
    }
    let case = db::cases::by_id(conn, case_id)
        .await?
        .filter(|c| c.town_id == row.town_id)
        .ok_or_else(|| {
            // Transferred to another town's center since it was put on the agenda.
            AppError::fields(vec![FieldError::new("item_id", Reason::NoSuchItem, lang)])
        })?;
    let facts = case.facts()?;
    let now = now_ms();
    let what = req.what.trim();
    let text = format!("{}:{who_name} {what}", row.title);
    let urgeable = matches!(facts.stage, Stage::Routed | Stage::InHandling);
    let urging_id = match facts.handler.filter(|_| urgeable) {
        Some(_) => Some(
            db::supervision::insert_urging(conn, case_id, me.user.id, now, &text, req.due_on)
                .await?,
        ),
        None => None,
    };
    let due = date_text(req.due_on);
    db::events::insert(
        conn,
        &event(
            &me,
            case_id,
            now,
            EventKind::MeetingDecision,
            Some(what),
            vec![
                ("meeting".into(), row.title.clone()),
                ("who".into(), who_name.clone()),
                ("due_on".into(), due.clone()),
            ],
        ),
    )
    .await?;
    let mut people = db::supervision::people_of(conn, req.who).await?;
    if urging_id.is_some()
        && let Some(handler) = facts.handler
    {
        people.extend(db::supervision::people_of(conn, handler).await?);
    }
    db::supervision::notify(
        conn,
        &people,
        Some(case_id),
        NotificationKind::Urged,
        &due,
        now,
    )
    .await?;
    dbm::insert_decision(
        conn,
        id,
        req.item_id,
        case_id,
        req.who,
        what,
        req.due_on,
        urging_id,
        me.user.id,
        now,
    )
    .await?;
    dbm::touch(conn, id).await?;
    let row = dbm::by_id(conn, id).await?.unwrap_or(row);
    let detail = detail(&state, conn, &row, Reader::Whole).await?;
    let rev = db::cases::bump_town(conn, case.town_id).await?;
    state
        .commit_case_change(wtx, case.town_id, case_id, rev)
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/held",
    tag = "meetings",
    params(("id" = i64, Path, description = "The meeting's id")),
    request_body = HoldMeeting,
    responses(
        (status = 200, description = "The meeting is held: who came, and its minutes", body = MeetingDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead records the meeting, or the request came from another site", body = ApiError),
        (status = 404, description = "No such meeting in the town", body = ApiError),
        (status = 409, description = "Held already, or changed since it was read (`version`)", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`minutes` too long; `departments_attended`, `people_attended` not invited)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn held(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<HoldMeeting>,
) -> AppResult<Json<MeetingDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = for_change(conn, &me, id, true, lang).await?;
    let mut refused = match req.check(lang) {
        Ok(()) => Vec::new(),
        Err(fields) => fields,
    };
    let (departments, people) = dbm::invitees(conn, id).await?;
    if req
        .departments_attended
        .iter()
        .any(|d| !departments.iter().any(|i| i.id == *d))
    {
        refused.push(FieldError::new(
            "departments_attended",
            Reason::NoSuchItem,
            lang,
        ));
    }
    if req
        .people_attended
        .iter()
        .any(|p| !people.iter().any(|i| i.id == *p))
    {
        refused.push(FieldError::new("people_attended", Reason::NoSuchItem, lang));
    }
    if !refused.is_empty() {
        return Err(AppError::fields(refused));
    }
    let done = dbm::hold(
        conn,
        id,
        req.version,
        &req.departments_attended,
        &req.people_attended,
        req.minutes.trim(),
        now_ms(),
    )
    .await?;
    if !done {
        return Err(conflict(
            "会议记录已被他人更改,请刷新后再提交。",
            "The meeting changed since you read it: reload it and record again.",
            lang,
        ));
    }
    let row = dbm::by_id(conn, id).await?.unwrap_or(row);
    let detail = detail(&state, conn, &row, Reader::Whole).await?;
    wtx.commit().await?;
    Ok(Json(detail))
}

//! A case's clock and thread: suspension and resumption (中止/恢复), extensions (延期) asked
//! by the handler and decided by the lead, the message thread between the center and the
//! handlers, and the risk reports to the police station with their acknowledgement.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::api::{
    ExtensionDecision, NewExtension, NewMessage, NewSuspension, PoliceNoticeList, ResumeRequest,
};
use shared::model::{
    CaseDetail, EventKind, ExtensionStatus, HandlerRef, NotificationKind, Role, Stage,
};
use shared::workflow::{self, Act, CaseFacts};
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};
use sqlx::AnyConnection;

use crate::auth::CurrentUser;
use crate::db;
use crate::db::cases::CaseRow;
use crate::db::events::NewEvent;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::now_ms;
use crate::routes::supervision::TwoIds;
use crate::state::AppState;

/// `/cases/{id}/suspend`, `/cases/{id}/resume`, `/cases/{id}/extensions`,
/// `/cases/{id}/extensions/{ext}/decision`, `/cases/{id}/messages`, `/police-notices`,
/// `/police-notices/{id}/acknowledge`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/suspend", post(suspend))
        .route("/cases/{id}/resume", post(resume))
        .route("/cases/{id}/extensions", post(ask_extension))
        .route(
            "/cases/{id}/extensions/{ext}/decision",
            post(decide_extension),
        )
        .route("/cases/{id}/messages", post(message))
        .route("/police-notices", get(police_notices))
        .route("/police-notices/{id}/acknowledge", post(acknowledge_notice))
}

/// The case `id` taken for a change by `me` doing `act`: locked (`take_for_change`), visible
/// to them (else 404) and theirs to act on (else 403).
pub(crate) async fn case_for_act(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
    act: Act,
    lang: Lang,
) -> AppResult<(CaseRow, CaseFacts)> {
    if !db::cases::take_for_change(conn, id).await? {
        return Err(AppError::not_found());
    }
    let row = db::cases::by_id(conn, id)
        .await?
        .filter(|r| r.facts().is_ok_and(|f| workflow::may_read(&me.actor, &f)))
        .ok_or_else(AppError::not_found)?;
    let facts = row.facts()?;
    if !act.is_permitted(&me.actor, &facts) {
        return Err(act.refusal(lang).into());
    }
    Ok((row, facts))
}

/// The refusal of an act in a stage it does not apply to.
fn wrong_stage(zh: &str, en: &str, lang: Lang) -> AppError {
    let reason = Reason::Other {
        zh: zh.into(),
        en: en.into(),
    };
    AppError::fields(vec![FieldError::new("stage", reason, lang)])
}

pub(crate) fn conflict(zh: &str, en: &str, lang: Lang) -> AppError {
    ApiError::new(ErrorKind::Conflict, lang)
        .with_message(lang.pick(zh, en))
        .into()
}

/// An event of `me` on case `case_id` that moves nothing, not public.
pub(crate) fn event<'a>(
    me: &'a CurrentUser,
    case_id: i64,
    at_ms: i64,
    kind: EventKind,
    text: Option<&'a str>,
    details: Vec<(String, String)>,
) -> NewEvent<'a> {
    NewEvent {
        case_id,
        at_ms,
        actor_id: me.user.id,
        actor_name: me.name(),
        actor_role: me.user.role,
        kind,
        from_stage: None,
        to_stage: None,
        text,
        details,
        public: false,
    }
}

/// The people of the case's lead handler and cooperating units.
async fn handler_people(conn: &mut AnyConnection, facts: &CaseFacts) -> AppResult<Vec<i64>> {
    let mut people = Vec::new();
    for unit in facts.handler.iter().chain(&facts.cooperating) {
        for p in db::supervision::people_of(conn, *unit).await? {
            if !people.contains(&p) {
                people.push(p);
            }
        }
    }
    Ok(people)
}

/// Who is told of what `me` did on a case: the other side. A lead's act tells the handlers;
/// a handler's act tells the leads and the other units.
async fn other_side(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    town_id: i64,
    facts: &CaseFacts,
) -> AppResult<Vec<i64>> {
    let mut people = handler_people(conn, facts).await?;
    if me.user.role != Role::Lead {
        people.extend(db::supervision::leads_of(conn, town_id).await?);
    }
    people.retain(|&p| p != me.user.id);
    people.dedup();
    Ok(people)
}

/// Counts the case's clock again (after a suspension, resumption or extension) and stores
/// its due date.
async fn recount(state: &AppState, conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    let row = db::cases::by_id(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the case vanished"))?;
    let suspensions = db::clock::suspensions(conn, id).await?;
    let extensions = db::clock::extensions(conn, id).await?;
    let extension_days: u32 = extensions
        .iter()
        .filter(|e| e.status == ExtensionStatus::Approved)
        .map(|e| e.days)
        .sum();
    let mut clock = row.clock(db::clock::pauses_of(&suspensions))?;
    clock.extension_days = extension_days;
    let calendar = state.calendar().await?;
    let explained = clock.explain(&calendar, state.config.today());
    db::clock::store_clock(
        conn,
        id,
        explained.due_on,
        explained.paused_days,
        extension_days,
    )
    .await?;
    Ok(())
}

/// Ends a clock change: bumps the town, publishes the change, answers the case as `me` sees it.
pub(crate) async fn finish(
    state: &AppState,
    mut wtx: db::WriteTx,
    me: &CurrentUser,
    town_id: i64,
    id: i64,
) -> AppResult<Json<CaseDetail>> {
    let conn = &mut wtx.tx;
    let rev = db::cases::bump_town(conn, town_id).await?;
    let row = db::cases::by_id(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the case vanished"))?;
    let detail = super::cases::detail_of(state, conn, row, &me.actor).await?;
    state.commit_case_change(wtx, town_id, id, rev).await?;
    Ok(Json(detail))
}

/// Suspends a case's clock (中止): waiting for a party, a hearing, an expert appraisal.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/suspend",
    tag = "clock",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewSuspension,
    responses(
        (status = 200, description = "The case, suspended from today", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler or the center lead suspends, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case is suspended already", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`reason_kind`, `reason`), or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn suspend(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewSuspension>,
) -> AppResult<Json<CaseDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Suspend, lang).await?;
    if facts.stage != Stage::InHandling {
        return Err(wrong_stage(
            "只能中止正在办理的案件。",
            "Only a case in handling can be suspended.",
            lang,
        ));
    }
    if row.suspended_on.is_some() {
        return Err(conflict(
            "该案件已中止。",
            "This case is suspended already.",
            lang,
        ));
    }
    req.check(lang).map_err(AppError::fields)?;
    let now = now_ms();
    let today = state.config.today();
    let reason = req.reason.trim();
    db::clock::suspend(conn, id, today, req.reason_kind, reason, me.user.id, now).await?;
    let details = vec![(
        "reason_kind".to_owned(),
        req.reason_kind.as_str().to_owned(),
    )];
    db::events::insert(
        conn,
        &event(&me, id, now, EventKind::Suspended, Some(reason), details),
    )
    .await?;
    let people = other_side(conn, &me, row.town_id, &facts).await?;
    let text = req.reason_kind.label(Lang::Zh);
    db::supervision::notify(
        conn,
        &people,
        Some(id),
        NotificationKind::Suspended,
        text,
        now,
    )
    .await?;
    recount(&state, conn, id).await?;
    finish(&state, wtx, &me, row.town_id, id).await
}

/// Resumes a suspended case: the clock runs again from today.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/resume",
    tag = "clock",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = ResumeRequest,
    responses(
        (status = 200, description = "The case, its clock running again, with the new due date", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler or the center lead resumes, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case is not suspended", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "The note is too long", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn resume(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<ResumeRequest>,
) -> AppResult<Json<CaseDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, _) = case_for_act(conn, &me, id, Act::Resume, lang).await?;
    let mut c = shared::validate::Checker::new(lang);
    c.max_len("note", &req.note, shared::validate::NOTE_MAX);
    c.finish().map_err(AppError::fields)?;
    let now = now_ms();
    let today = state.config.today();
    let Some(since) = row.suspended_on.as_deref() else {
        return Err(conflict(
            "该案件未中止。",
            "This case is not suspended.",
            lang,
        ));
    };
    let since = db::parse_date(since)?;
    // Resumed on the day it stopped: no day stood still. Otherwise the clock stood from the
    // first day up to yesterday and runs again today.
    let until = today.max(since);
    if !db::clock::resume(conn, id, until, me.user.id, now).await? {
        return Err(conflict(
            "该案件未中止。",
            "This case is not suspended.",
            lang,
        ));
    }
    let stood = (until - since).num_days().max(0);
    let note = req.note.trim();
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::Resumed,
            (!note.is_empty()).then_some(note),
            vec![("paused_days".to_owned(), stood.to_string())],
        ),
    )
    .await?;
    recount(&state, conn, id).await?;
    finish(&state, wtx, &me, row.town_id, id).await
}

/// The handler asks for an extension of the case's clock.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/extensions",
    tag = "clock",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewExtension,
    responses(
        (status = 201, description = "The case, with the request waiting for the lead", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the case's handler asks, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "A request is waiting for the lead already", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: `days` beyond the track's limit or a second extension where one is allowed, `consent` missing where both parties must agree, `reason`; or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn ask_extension(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewExtension>,
) -> AppResult<(StatusCode, Json<CaseDetail>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::AskExtension, lang).await?;
    if facts.stage != Stage::InHandling {
        return Err(wrong_stage(
            "只能为正在办理的案件申请延期。",
            "Only a case in handling can be extended.",
            lang,
        ));
    }
    let existing = db::clock::extensions(conn, id).await?;
    if existing
        .iter()
        .any(|e| e.status == ExtensionStatus::Pending)
    {
        return Err(conflict(
            "已有一项延期申请等待审批。",
            "An extension request is waiting for the lead already.",
            lang,
        ));
    }
    let approved = existing
        .iter()
        .filter(|e| e.status == ExtensionStatus::Approved)
        .count();
    let rule = row.clock(Vec::new())?.rule.track.extension();
    req.check(rule, u32::try_from(approved).unwrap_or(u32::MAX), lang)
        .map_err(AppError::fields)?;
    let now = now_ms();
    let reason = req.reason.trim();
    db::clock::insert_extension(conn, id, req.days, reason, req.consent, me.user.id, now).await?;
    let details = vec![
        ("days".to_owned(), req.days.to_string()),
        ("consent".to_owned(), req.consent.to_string()),
    ];
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::ExtensionRequested,
            Some(reason),
            details,
        ),
    )
    .await?;
    let leads = db::supervision::leads_of(conn, row.town_id).await?;
    let text = format!("{} 日", req.days);
    db::supervision::notify(
        conn,
        &leads,
        Some(id),
        NotificationKind::ExtensionRequested,
        &text,
        now,
    )
    .await?;
    let detail = finish(&state, wtx, &me, row.town_id, id).await?;
    Ok((StatusCode::CREATED, detail))
}

/// The lead approves or refuses an extension request.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/extensions/{ext}/decision",
    tag = "clock",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("ext" = i64, Path, description = "The extension request's id"),
    ),
    request_body = ExtensionDecision,
    responses(
        (status = 200, description = "The case, with the decision and (if approved) the new due date", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead decides, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case or request, or not visible to this user", body = ApiError),
        (status = 409, description = "Decided already", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`note` missing on a refusal, or too long", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn decide_extension(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    TwoIds(id, ext): TwoIds,
    AppJson(req): AppJson<ExtensionDecision>,
) -> AppResult<Json<CaseDetail>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::DecideExtension, lang).await?;
    let existing = db::clock::extensions(conn, id).await?;
    let Some(request) = existing.iter().find(|e| e.id == ext) else {
        return Err(AppError::not_found());
    };
    req.check(lang).map_err(AppError::fields)?;
    let status = if req.approve {
        ExtensionStatus::Approved
    } else {
        ExtensionStatus::Refused
    };
    let now = now_ms();
    let note = req.note.trim();
    if !db::clock::decide_extension(conn, id, ext, status, me.user.id, now, note).await? {
        return Err(conflict(
            "该延期申请已审批。",
            "This request was decided already.",
            lang,
        ));
    }
    if req.approve {
        recount(&state, conn, id).await?;
    }
    let due = db::cases::by_id(conn, id)
        .await?
        .ok_or_else(|| AppError::internal("the case vanished"))?
        .due_on;
    let kind = if req.approve {
        EventKind::ExtensionApproved
    } else {
        EventKind::ExtensionRefused
    };
    let mut details = vec![("days".to_owned(), request.days.to_string())];
    if req.approve {
        details.push(("new_due_on".to_owned(), due.clone()));
    }
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            kind,
            (!note.is_empty()).then_some(note),
            details,
        ),
    )
    .await?;
    let people = handler_people(conn, &facts).await?;
    let text = if req.approve {
        format!("批准延期 {} 日,新期限 {due}", request.days)
    } else {
        format!("未批准延期 {} 日", request.days)
    };
    db::supervision::notify(
        conn,
        &people,
        Some(id),
        NotificationKind::ExtensionDecided,
        &text,
        now,
    )
    .await?;
    finish(&state, wtx, &me, row.town_id, id).await
}

/// A message in the case's thread, between the center and the handlers.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/messages",
    tag = "clock",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewMessage,
    responses(
        (status = 201, description = "The case, with the message on its timeline", body = CaseDetail),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the lead, the handler and the cooperating units write here, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`text` missing or too long, or the case is archived", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn message(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewMessage>,
) -> AppResult<(StatusCode, Json<CaseDetail>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Message, lang).await?;
    if facts.stage == Stage::Archived {
        return Err(wrong_stage(
            "已归档的案件不能再发消息。",
            "An archived case takes no more messages.",
            lang,
        ));
    }
    req.check(lang).map_err(AppError::fields)?;
    let now = now_ms();
    let text = req.text.trim();
    db::events::insert(
        conn,
        &event(&me, id, now, EventKind::Message, Some(text), Vec::new()),
    )
    .await?;
    let people = other_side(conn, &me, row.town_id, &facts).await?;
    db::supervision::notify(
        conn,
        &people,
        Some(id),
        NotificationKind::Message,
        me.name(),
        now,
    )
    .await?;
    let detail = finish(&state, wtx, &me, row.town_id, id).await?;
    Ok((StatusCode::CREATED, detail))
}

/// Reports a newly registered risky matter to the town's police station (人民调解法 Art. 25):
/// records the notice, tells the station's liaisons (or, with no station on record, the
/// leads, to report it by telephone), and writes the event.
pub(crate) async fn report_to_police(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    case_id: i64,
    town_id: i64,
    code: &str,
    now: i64,
) -> AppResult<()> {
    let station = db::clock::police_station(conn, town_id).await?;
    db::clock::insert_notice(conn, case_id, town_id, station, now).await?;
    let (people, text, station_name) = match station {
        Some(d) => {
            let name = db::org::department_name(conn, d).await?.unwrap_or_default();
            let people = db::supervision::people_of(conn, HandlerRef::Department(d)).await?;
            (people, code.to_owned(), name)
        }
        None => (
            db::supervision::leads_of(conn, town_id).await?,
            "本镇未登记派出所,请电话通报".to_owned(),
            String::new(),
        ),
    };
    db::supervision::notify(
        conn,
        &people,
        Some(case_id),
        NotificationKind::PoliceNotice,
        &text,
        now,
    )
    .await?;
    db::events::insert(
        conn,
        &event(
            me,
            case_id,
            now,
            EventKind::PoliceNotified,
            None,
            vec![("department".to_owned(), station_name)],
        ),
    )
    .await?;
    Ok(())
}

/// Risk reports: a police liaison's own station's; the lead's and clerks' whole town's.
#[utoipa::path(
    get,
    path = "/api/police-notices",
    tag = "clock",
    responses(
        (status = 200, description = "The reports, unacknowledged first (summaries masked)", body = PoliceNoticeList),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Neither the police station's liaison nor the center's staff", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn police_notices(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<PoliceNoticeList>> {
    let mut conn = state.db.pool.acquire().await?;
    let town = me.actor.town_id;
    let department = match me.user.role {
        Role::Lead | Role::Clerk => None,
        Role::Liaison if is_police(&mut conn, &me).await? => me.actor.department_id,
        _ => return Err(police_refusal(lang)),
    };
    let notices = db::clock::notices(&mut conn, town, department, 200).await?;
    Ok(Json(PoliceNoticeList::of(notices)))
}

async fn is_police(conn: &mut AnyConnection, me: &CurrentUser) -> AppResult<bool> {
    Ok(match me.actor.department_id {
        Some(d) => db::org::department_kind(conn, d).await?.as_deref() == Some("police"),
        None => false,
    })
}

fn police_refusal(lang: Lang) -> AppError {
    let message = lang.pick(
        "“风险通报”只能由派出所联络员或中心工作人员查看。",
        "Risk reports are for the police station's liaison and the center's staff.",
    );
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(message)
        .into()
}

/// The police station acknowledges a risk report.
#[utoipa::path(
    post,
    path = "/api/police-notices/{id}/acknowledge",
    tag = "clock",
    params(("id" = i64, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The station's reports, this one acknowledged", body = PoliceNoticeList),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the station's liaison acknowledges, or the request came from another site", body = ApiError),
        (status = 404, description = "No such report for this user's station", body = ApiError),
        (status = 409, description = "Acknowledged already", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn acknowledge_notice(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(notice): IdPath,
) -> AppResult<Json<PoliceNoticeList>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let Some((case_id, town_id, department)) = db::clock::notice_target(conn, notice).await? else {
        return Err(AppError::not_found());
    };
    if town_id != me.actor.town_id {
        return Err(AppError::not_found());
    }
    let mine = me.user.role == Role::Liaison
        && department.is_some()
        && department == me.actor.department_id;
    if !mine {
        return Err(if me.user.role == Role::Liaison {
            AppError::not_found()
        } else {
            ApiError::new(ErrorKind::Forbidden, lang)
                .with_message(lang.pick(
                    "“确认风险通报”只能由接报的派出所进行。",
                    "Only the police station told may acknowledge a risk report.",
                ))
                .into()
        });
    }
    db::cases::take_for_change(conn, case_id).await?;
    let now = now_ms();
    if !db::clock::acknowledge_notice(conn, notice, me.user.id, now).await? {
        return Err(conflict(
            "该通报已确认。",
            "This report was acknowledged already.",
            lang,
        ));
    }
    db::events::insert(
        conn,
        &event(
            &me,
            case_id,
            now,
            EventKind::PoliceAcknowledged,
            None,
            Vec::new(),
        ),
    )
    .await?;
    let leads = db::supervision::leads_of(conn, town_id).await?;
    db::supervision::notify(
        conn,
        &leads,
        Some(case_id),
        NotificationKind::PoliceAcknowledged,
        me.name(),
        now,
    )
    .await?;
    let rev = db::cases::bump_town(conn, town_id).await?;
    let notices = db::clock::notices(conn, town_id, department, 200).await?;
    state.commit_case_change(wtx, town_id, case_id, rev).await?;
    Ok(Json(PoliceNoticeList::of(notices)))
}

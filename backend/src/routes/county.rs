//! One county, many towns: the county's towns, the county dashboard by town, a case's
//! transfer to another town's center, and a town's escalation to the county with the
//! county's instruction.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::county::{
    CountyEscalation, CountyQuery, CountySummary, CountyText, TRANSFERABLE, TownFigures, TownInfo,
    TransferRequest, Transferred,
};
use shared::deadline::DueBadge;
use shared::model::{EventKind, NotificationKind, OrgLevel, Role, Stage};
use shared::workflow::Act;
use shared::{ApiError, ErrorKind, FieldError, Reason};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang};
use crate::live::Change;
use crate::routes::clock::{case_for_act, conflict, event};
use crate::routes::now_ms;
use crate::state::AppState;

/// `/towns`, `/county/summary`, `/cases/{id}/transfer`, `/cases/{id}/county-escalation`,
/// `/cases/{id}/county-instruction`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/towns", get(towns))
        .route("/county/summary", get(summary))
        .route("/cases/{id}/transfer", post(transfer))
        .route("/cases/{id}/county-escalation", post(escalate))
        .route("/cases/{id}/county-instruction", post(instruct))
}

/// The county's towns and their villages (names only: where a case can be transferred).
#[utoipa::path(
    get,
    path = "/api/towns",
    tag = "county",
    responses(
        (status = 200, description = "Every town of the county with its villages", body = Vec<TownInfo>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn towns(
    State(state): State<AppState>,
    _me: CurrentUser,
) -> AppResult<Json<Vec<TownInfo>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(db::county::towns(&mut conn).await?))
}

/// The county dashboard: each town's open, overdue and due-soon cases now, and what was
/// registered and closed in the period; county officers (every case) and county departments
/// (the cases of their line) only.
#[utoipa::path(
    get,
    path = "/api/county/summary",
    tag = "county",
    params(CountyQuery),
    responses(
        (status = 200, description = "Every town's line and the county's total", body = CountySummary),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only county officers and county departments read the county dashboard", body = ApiError),
        (status = 422, description = "`from` refused (after today, or more than a year back)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn summary(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(q): AppQuery<CountyQuery>,
) -> AppResult<Json<CountySummary>> {
    if !me.user.role.is_county() {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "县级汇总只有县级政法干部和县级部门可以查看。",
                "Only county officers and county departments read the county dashboard.",
            ))
            .into());
    }
    let today = state.config.today();
    let from = q.from_on(today, lang).map_err(AppError::fields)?;
    let (from_ms, _) = state.config.day_bounds(Some(from), None);
    let (towns, mut period) = {
        let mut conn = state.db.pool.acquire().await?;
        let towns = db::county::towns(&mut conn).await?;
        let sqlite = state.db.backend == db::Backend::Sqlite;
        let period = db::county::period_figures(
            &mut conn,
            sqlite,
            from_ms.unwrap_or_default(),
            state.config.offset_ms(),
            (me.actor.role == Role::CountyDepartment).then_some(me.actor.line),
        )
        .await?;
        (towns, period)
    };
    let mut lines = Vec::with_capacity(towns.len());
    let mut total = TownFigures::default();
    for town in towns {
        let board = super::board::town_board(&state, town.id, today).await?;
        let mut line = period.remove(&town.id).unwrap_or_default();
        line.town_id = town.id;
        line.town = town.name;
        for e in board.entries.iter().filter(|e| e.readable_by(&me.actor)) {
            let c = &e.card;
            if c.stage == Stage::Closed {
                line.closed_awaiting_archive += 1;
                continue;
            }
            line.open += 1;
            if c.suspended_on.is_some() {
                continue;
            }
            match DueBadge::for_case(c.stage, c.due_on, today) {
                DueBadge::Overdue => line.overdue += 1,
                DueBadge::DueSoon => line.due_soon += 1,
                DueBadge::OnTime | DueBadge::Stopped => {}
            }
        }
        total.add(&line);
        lines.push(line);
    }
    total.town = lang.pick("全县合计", "County total").to_owned();
    Ok(Json(CountySummary {
        today,
        from,
        towns: lines,
        total,
    }))
}

/// The lead transfers a case to another town's center (wrong jurisdiction).
#[utoipa::path(
    post,
    path = "/api/cases/{id}/transfer",
    tag = "county",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = TransferRequest,
    responses(
        (status = 200, description = "Transferred: the case is now the other town's, registered there", body = Transferred),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead transfers, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case changed since it was read", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`reason`, `village_id`), or the case is in handling or closed (`stage`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn transfer(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<TransferRequest>,
) -> AppResult<Json<Transferred>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::Transfer, lang).await?;
    // `case_for_act` took the case for the change: its version moved by one.
    if row.version - 1 != req.version {
        return Err(conflict(
            "案件在您读取后已有变动,请刷新后再移交。",
            "The case changed since you read it: reload it before transferring.",
            lang,
        ));
    }
    if !TRANSFERABLE.contains(&facts.stage) {
        let reason = Reason::Other {
            zh: "只能移交尚未开始办理的案件(已登记或已分流待接收)。".into(),
            en: "Only a case not yet in handling (registered, or routed and not accepted) can be transferred.".into(),
        };
        return Err(AppError::fields(vec![FieldError::new(
            "stage", reason, lang,
        )]));
    }
    let mut errors = req.check(lang).err().unwrap_or_default();
    let village = db::org::unit(conn, req.village_id).await?;
    let to_town = match village {
        Some(v) if v.level().ok() == Some(OrgLevel::Village) => v.town_id,
        _ => None,
    };
    let to_town = match to_town {
        Some(t) if t != row.town_id => Some(t),
        Some(_) => {
            errors.push(FieldError::new(
                "village_id",
                Reason::Other {
                    zh: "请选择其他乡镇的村(社区):本镇的案件无需移交。".into(),
                    en: "Choose a village of another town: this town's cases need no transfer."
                        .into(),
                },
                lang,
            ));
            None
        }
        None => {
            errors.push(FieldError::new("village_id", Reason::NoSuchItem, lang));
            None
        }
    };
    let Some(to_town) = to_town.filter(|_| errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let now = now_ms();
    let reason = req.reason.trim();
    let towns = db::county::towns(conn).await?;
    let name_of = |id: i64| {
        towns
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let (from_name, to_name) = (name_of(row.town_id), name_of(to_town));
    // Told before the move: the handler routed to in this town, and the town's other leads.
    let mut sending = db::supervision::leads_of(conn, row.town_id).await?;
    for unit in facts.handler.iter().chain(&facts.cooperating) {
        sending.extend(db::supervision::people_of(conn, *unit).await?);
    }
    sending.retain(|u| *u != me.user.id);
    let moved = db::county::Transfer {
        case_id: id,
        from_town: row.town_id,
        to_town,
        village_id: req.village_id,
        reason,
    };
    db::county::transfer(conn, &moved, me.user.id, now).await?;
    // A risk report still unacknowledged went to the receiving town's station: tell it.
    let moved_notice: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT department_id FROM police_notices WHERE case_id = $1 AND acknowledged_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut **conn)
    .await?;
    if let Some(station) = moved_notice {
        let people = match station {
            Some(d) => {
                db::supervision::people_of(conn, shared::model::HandlerRef::Department(d)).await?
            }
            None => db::supervision::leads_of(conn, to_town).await?,
        };
        db::supervision::notify(
            conn,
            &people,
            Some(id),
            NotificationKind::PoliceNotice,
            &row.code,
            now,
        )
        .await?;
    }
    let mut e = event(
        &me,
        id,
        now,
        EventKind::Transferred,
        Some(reason),
        vec![
            ("from_town".into(), from_name.clone()),
            ("to_town".into(), to_name.clone()),
        ],
    );
    e.from_stage = Some(facts.stage);
    e.to_stage = Some(Stage::Registered);
    db::events::insert(conn, &e).await?;
    let receiving = db::supervision::leads_of(conn, to_town).await?;
    let note_in = format!("{} ← {from_name}", row.code);
    let note_out = format!("{} → {to_name}", row.code);
    db::supervision::notify(
        conn,
        &receiving,
        Some(id),
        NotificationKind::TransferredIn,
        &note_in,
        now,
    )
    .await?;
    db::supervision::notify(
        conn,
        &sending,
        None,
        NotificationKind::TransferredOut,
        &note_out,
        now,
    )
    .await?;
    let rev_from = db::cases::bump_town(conn, row.town_id).await?;
    let rev_to = db::cases::bump_town(conn, to_town).await?;
    state
        .commit_changes(
            wtx,
            &[
                Change {
                    town_id: row.town_id,
                    rev: rev_from,
                    case_id: id,
                },
                Change {
                    town_id: to_town,
                    rev: rev_to,
                    case_id: id,
                },
            ],
        )
        .await?;
    Ok(Json(Transferred {
        id,
        code: row.code,
        town_id: to_town,
        town: to_name,
    }))
}

/// The lead escalates an open case to the county (上报县级) for its instruction.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/county-escalation",
    tag = "county",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = CountyText,
    responses(
        (status = 201, description = "The escalation as recorded; the county's officers are told", body = CountyEscalation),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead escalates, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "An escalation of the case already waits for the county", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`text` refused, or the case is closed (`stage`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn escalate(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<CountyText>,
) -> AppResult<(StatusCode, Json<CountyEscalation>)> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, facts) = case_for_act(conn, &me, id, Act::EscalateToCounty, lang).await?;
    if !facts.stage.is_open() {
        let reason = Reason::Other {
            zh: "已办结的案件不能上报县级。".into(),
            en: "A closed case cannot be escalated to the county.".into(),
        };
        return Err(AppError::fields(vec![FieldError::new(
            "stage", reason, lang,
        )]));
    }
    req.check(lang).map_err(AppError::fields)?;
    let now = now_ms();
    let text = req.text.trim();
    if !db::county::escalate(conn, id, row.town_id, text, me.user.id, now).await? {
        return Err(conflict(
            "此案已上报县级,正在等待县级批示。",
            "The case was escalated already and waits for the county's instruction.",
            lang,
        ));
    }
    db::events::insert(
        conn,
        &event(&me, id, now, EventKind::CountyEscalated, Some(text), vec![]),
    )
    .await?;
    let officers = db::county::officers(conn, row.category()?).await?;
    db::supervision::notify(
        conn,
        &officers,
        Some(id),
        NotificationKind::CountyEscalated,
        &row.code,
        now,
    )
    .await?;
    let escalation = latest(conn, id).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok((StatusCode::CREATED, Json(escalation)))
}

/// A county officer, or the county department of the case's line, answers a town's escalation
/// with the county's instruction (县级批示).
#[utoipa::path(
    post,
    path = "/api/cases/{id}/county-instruction",
    tag = "county",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = CountyText,
    responses(
        (status = 200, description = "The escalation, answered; the town's leads are told", body = CountyEscalation),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only county officers and the county department of the case's line instruct, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "No escalation of the case waits for the county", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`text` refused", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn instruct(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<CountyText>,
) -> AppResult<Json<CountyEscalation>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (row, _) = case_for_act(conn, &me, id, Act::Instruct, lang).await?;
    req.check(lang).map_err(AppError::fields)?;
    let now = now_ms();
    let text = req.text.trim();
    if !db::county::instruct(conn, id, text, me.user.id, now).await? {
        return Err(conflict(
            "此案没有等待县级批示的上报。",
            "No escalation of this case waits for the county.",
            lang,
        ));
    }
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::CountyInstructed,
            Some(text),
            vec![],
        ),
    )
    .await?;
    let leads = db::supervision::leads_of(conn, row.town_id).await?;
    db::supervision::notify(
        conn,
        &leads,
        Some(id),
        NotificationKind::CountyInstructed,
        &row.code,
        now,
    )
    .await?;
    let escalation = latest(conn, id).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok(Json(escalation))
}

/// The case's latest escalation (just written).
async fn latest(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<CountyEscalation> {
    db::county::escalations(conn, id)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("the escalation just written is missing"))
}

//! The grid: the town's roster (`/roster/grid`: who covers which village, area and group, the
//! history, the gaps, households, visits per worker and units not visited), and the grid
//! workers' visits (`/grid/visits`, from the phone; a visit can become a case settled on the
//! spot or reported to the center, in the same step), and a grid worker's own grid
//! (`/grid/mine`: their units' open cases, and only those).
//!
//! Who: the roster is read by the center lead, clerks, town leaders and grid workers, and
//! changed by the lead (each change moves the town's revision, so cached case pages name the
//! new cover). Visits are logged by grid workers and town leaders in the units they cover (and
//! below), and by the lead and clerks anywhere in the town; the lead and clerks read them all,
//! town leaders masked, grid workers their own.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate};
use shared::api::{ClosedOnTheSpot, NewParty, RegisterCase};
use shared::grid::{
    Assign, Cover, GridRoster, GridUnit, GridVisit, GridVisits, HouseholdForm, Households, MyGrid,
    MyUnit, NewGridVisit, PastCover, RosterQuery, SetHouseholds, VisitFilter, WorkerMonth, duty_of,
    next_month, tags_to_text,
};
use shared::model::{Channel, OrgLevel, PartyKind, PartySide, RiskFlag, Role, VisitOutcome};
use shared::workflow::Act;
use shared::{ApiError, ErrorKind, Lang, Reason};
use sqlx::AnyConnection;

use super::cases::{Moment, Registrar, insert_registered};
use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::grid::{Unit, within};
use crate::error::{AppError, AppJson, AppQuery, AppResult, IdPath, RequestLang};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/roster/grid", get(roster))
        .route("/roster/grid/assign", post(assign))
        .route("/roster/units/{id}/households", put(households))
        .route(
            "/roster/units/{id}/household-list",
            get(household_list).post(add_household),
        )
        .route(
            "/households/{id}",
            put(change_household).delete(delete_household),
        )
        .route("/grid/mine", get(mine))
        .route("/grid/visits", get(visits).post(log_visit))
        .route("/grid/visits/{id}/photo", get(photo))
}

fn forbidden(lang: Lang, zh: &str, en: &str) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(zh, en))
        .into()
}

fn roster_reader(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    match me.user.role {
        Role::Lead | Role::Clerk | Role::TownLeader | Role::GridWorker => Ok(()),
        _ => Err(forbidden(
            lang,
            "网格名册只有中心负责人、窗口受理员、包村领导和网格员可以查看。",
            "The grid roster is for the center lead, intake clerks, town leaders and grid workers.",
        )),
    }
}

fn roster_editor(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    if me.user.role == Role::Lead {
        Ok(())
    } else {
        Err(forbidden(
            lang,
            "网格名册只能由中心负责人调整。",
            "Only the center lead changes the grid roster.",
        ))
    }
}

/// The roster of `town_id` as of `today`: "not visited" over `days`, workers' visits over the
/// month starting `month`.
async fn build_roster(
    conn: &mut AnyConnection,
    town_id: i64,
    today: NaiveDate,
    (days, month): (u32, NaiveDate),
    may_edit: bool,
) -> AppResult<GridRoster> {
    let (units, names) = db::grid::units(&mut *conn, town_id).await?;
    let assignments = db::grid::assignments(&mut *conn, town_id).await?;
    let since = today - Duration::days(i64::from(days) - 1);
    let visited = db::grid::visits_by_unit(&mut *conn, town_id, since).await?;
    let open = db::grid::open_cases_by_place(&mut *conn, town_id).await?;
    let by_worker =
        db::grid::visits_by_worker(&mut *conn, town_id, month, next_month(month)).await?;

    // Visits and open cases count at the unit and at every unit above it.
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let up = |id: i64| {
        let mut chain = vec![id];
        let mut at = id;
        while let Some(Some(p)) = parent.get(&at) {
            chain.push(*p);
            at = *p;
        }
        chain
    };
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    let mut recent: HashMap<i64, u32> = HashMap::new();
    for (unit, latest, n) in visited {
        let latest = db::parse_date(&latest)?;
        for u in up(unit) {
            let e = last.entry(u).or_insert(latest);
            *e = (*e).max(latest);
            *recent.entry(u).or_default() += u32::try_from(n).unwrap_or(0);
        }
    }
    let mut open_at: HashMap<i64, u32> = HashMap::new();
    for (_, village, area, group) in open {
        let deepest = group.or(area).unwrap_or(village);
        for u in up(deepest) {
            *open_at.entry(u).or_default() += 1;
        }
    }

    let mut out = Vec::with_capacity(units.len());
    let mut gaps = 0;
    let mut unvisited = 0;
    for u in &units {
        let Some((duty, _)) = duty_of(u.level) else {
            continue;
        };
        let mine = assignments.iter().filter(|a| a.unit_id == u.id);
        let mut cover = None;
        let mut history = Vec::new();
        for a in mine {
            let from = db::parse_date(&a.starts_on)?;
            match &a.ends_on {
                None => {
                    cover = Some(Cover {
                        user_id: a.user_id,
                        name: a.name.clone(),
                        since: from,
                    });
                }
                Some(end) => {
                    let end = db::parse_date(end)?;
                    history.push(PastCover {
                        user_id: a.user_id,
                        name: a.name.clone(),
                        from,
                        until: end.pred_opt().unwrap_or(end).max(from),
                    });
                }
            }
        }
        gaps += u32::from(cover.is_none());
        let visits = recent.get(&u.id).copied().unwrap_or(0);
        let not_visited = visits == 0;
        unvisited += u32::from(not_visited);
        out.push(GridUnit {
            id: u.id,
            parent_id: u.parent_id,
            level: u.level,
            name: u.name.clone(),
            duty,
            households: u.households,
            cover,
            history,
            last_visit: last.get(&u.id).copied(),
            visits,
            unvisited: not_visited,
            open_cases: open_at.get(&u.id).copied().unwrap_or(0),
        });
    }
    // Households: each group's, or an area's or a village's where nothing below records any.
    let households = households_total(&units);

    let mut workers: Vec<WorkerMonth> = Vec::new();
    for a in assignments.iter().filter(|a| a.ends_on.is_none()) {
        let unit_name = names.get(&a.unit_id).cloned().unwrap_or_default();
        match workers.iter_mut().find(|w| w.user_id == a.user_id) {
            Some(w) => w.units.push(unit_name),
            None => {
                let level = units.iter().find(|u| u.id == a.unit_id).map(|u| u.level);
                workers.push(WorkerMonth {
                    user_id: a.user_id,
                    name: a.name.clone(),
                    role: if level == Some(OrgLevel::Village) {
                        Role::TownLeader
                    } else {
                        Role::GridWorker
                    },
                    units: vec![unit_name],
                    visits: 0,
                    resolved: 0,
                    reported: 0,
                });
            }
        }
    }
    for (worker, outcome, n) in by_worker {
        let n = u32::try_from(n).unwrap_or(0);
        let Some(w) = workers.iter_mut().find(|w| w.user_id == worker) else {
            continue;
        };
        w.visits += n;
        match db::parse_enum::<VisitOutcome>("visit outcome", &outcome)? {
            VisitOutcome::Resolved => w.resolved += n,
            VisitOutcome::Reported => w.reported += n,
            VisitOutcome::Noted => {}
        }
    }
    for w in &mut workers {
        w.units.sort();
    }
    workers.sort_by(|a, b| {
        (a.role != Role::TownLeader, &a.units, &a.name).cmp(&(
            b.role != Role::TownLeader,
            &b.units,
            &b.name,
        ))
    });
    Ok(GridRoster {
        today,
        days,
        month: month.format("%Y-%m").to_string(),
        units: out,
        workers,
        gaps,
        unvisited,
        households,
        may_edit,
        people: db::grid::people(conn, town_id).await?,
    })
}

/// The roster as the lead sees it after a change: the default window, this month.
async fn roster_now(
    conn: &mut AnyConnection,
    town_id: i64,
    today: NaiveDate,
) -> AppResult<GridRoster> {
    let month = today.with_day(1).unwrap_or(today);
    build_roster(
        conn,
        town_id,
        today,
        (shared::grid::UNVISITED_DAYS, month),
        true,
    )
    .await
}

/// The households recorded over the town: a unit's own number where none below records one.
fn households_total(units: &[Unit]) -> u64 {
    fn below(units: &[Unit], id: i64) -> u64 {
        let children: Vec<&Unit> = units.iter().filter(|u| u.parent_id == Some(id)).collect();
        let from_children: u64 = children.iter().map(|c| below(units, c.id)).sum();
        let own = units
            .iter()
            .find(|u| u.id == id)
            .and_then(|u| u.households)
            .map_or(0, u64::from);
        if from_children > 0 {
            from_children
        } else {
            own
        }
    }
    units
        .iter()
        .filter(|u| u.level == OrgLevel::Village)
        .map(|v| below(units, v.id))
        .sum()
}

/// The town's grid roster.
#[utoipa::path(
    get,
    path = "/api/roster/grid",
    tag = "grid",
    params(RosterQuery),
    responses(
        (status = 200, description = "Every village, area and group in the tree's order with who covers it since when, who covered it before, households, open cases, the latest visit and whether it was visited in `days`; each worker's visits in `month`; the gaps counted", body = GridRoster),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks, town leaders and grid workers read the roster", body = ApiError),
        (status = 422, description = "`days` outside 1–366, or `month` not `YYYY-MM`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn roster(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(q): AppQuery<RosterQuery>,
) -> AppResult<Json<GridRoster>> {
    roster_reader(&me, lang)?;
    let today = state.config.today();
    let window = q.checked(today, lang).map_err(AppError::fields)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        build_roster(
            &mut conn,
            me.user.town_id,
            today,
            window,
            me.user.role == Role::Lead,
        )
        .await?,
    ))
}

/// Changes who covers a unit from a day on (or leaves it uncovered).
#[utoipa::path(
    post,
    path = "/api/roster/grid/assign",
    tag = "grid",
    request_body = Assign,
    responses(
        (status = 200, description = "Changed: the one covering it until then stops the day before `from` (kept in its history); the roster as it now stands", body = GridRoster),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead changes the roster, or the request came from another site", body = ApiError),
        (status = 422, description = "Fields refused by name: `unit_id` (no village, area or group of this town), `user_id` (no active person of this town with the unit's duty — a town leader for a village, a grid worker for an area or group — or the one covering it already), `from` (after today, on or before the day the current cover began, or before the last cover ended)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn assign(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<Assign>,
) -> AppResult<Json<GridRoster>> {
    roster_editor(&me, lang)?;
    let today = state.config.today();
    req.check(today, lang).map_err(AppError::fields)?;
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    db::cases::lock_town(conn, town_id).await?;
    let (level, _) = db::grid::unit_of_town(conn, town_id, req.unit_id)
        .await?
        .ok_or_else(|| ApiError::field("unit_id", Reason::NoSuchItem, lang))?;
    let Some((_, role)) = duty_of(level) else {
        return Err(ApiError::field("unit_id", Reason::NoSuchItem, lang).into());
    };
    let current = db::grid::current_cover(conn, req.unit_id).await?;
    if let Some(user_id) = req.user_id {
        let person = db::users::by_id(conn, user_id).await?;
        let fits = person.as_ref().is_some_and(|p| {
            p.active == 1 && p.town_id == Some(town_id) && p.role == role.as_str()
        });
        if !fits {
            let (zh, en) = match role {
                Role::TownLeader => (
                    "包村须由本镇在职的包村领导担任。",
                    "A village is covered by an active town leader of this town.",
                ),
                _ => (
                    "包片、包组须由本镇在职的网格员担任。",
                    "An area or group is covered by an active grid worker of this town.",
                ),
            };
            return Err(ApiError::field(
                "user_id",
                Reason::Other {
                    zh: zh.to_owned(),
                    en: en.to_owned(),
                },
                lang,
            )
            .into());
        }
        if current.is_some_and(|(_, who, _)| who == user_id) {
            return Err(ApiError::field(
                "user_id",
                Reason::Other {
                    zh: "此人已经负责该单元。".to_owned(),
                    en: "This person covers the unit already.".to_owned(),
                },
                lang,
            )
            .into());
        }
    } else if current.is_none() {
        return Err(ApiError::field(
            "user_id",
            Reason::Other {
                zh: "该单元目前无人负责,请选择接任人员。".to_owned(),
                en: "Nobody covers this unit now: choose who takes it on.".to_owned(),
            },
            lang,
        )
        .into());
    }
    if current.is_none()
        && let Some(ended) = db::grid::last_end(conn, req.unit_id).await?
        && req.from < ended
    {
        return Err(ApiError::field(
            "from",
            Reason::Other {
                zh: format!("上一任人员负责至 {} ,接任日期不能早于 {ended}。", ended.pred_opt().unwrap_or(ended)),
                en: format!("The last cover ran until the day before {ended}: a new one cannot start before it."),
            },
            lang,
        )
        .into());
    }
    if let Some((_, _, since)) = current
        && req.from <= since
    {
        return Err(ApiError::field(
            "from",
            Reason::Other {
                zh: format!("现任人员自 {since} 起负责,调整日期须在此之后。"),
                en: format!("The current cover began on {since}: a change must be dated after it."),
            },
            lang,
        )
        .into());
    }
    db::grid::assign(
        conn,
        town_id,
        req.unit_id,
        req.user_id,
        req.from,
        Some(me.user.id),
        now_ms(),
    )
    .await?;
    let rev = db::cases::bump_town(conn, town_id).await?;
    let out = roster_now(conn, town_id, today).await?;
    // No card changes; the revision moves so cached case pages name the new cover.
    state.commit_town_change(wtx, town_id, rev).await?;
    Ok(Json(out))
}

/// Records a unit's households.
#[utoipa::path(
    put,
    path = "/api/roster/units/{id}/households",
    tag = "grid",
    params(("id" = i64, Path, description = "The village's, area's or group's id")),
    request_body = SetHouseholds,
    responses(
        (status = 200, description = "Recorded; the roster as it now stands", body = GridRoster),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead changes the roster, or the request came from another site", body = ApiError),
        (status = 404, description = "No such village, area or group in this town", body = ApiError),
        (status = 422, description = "`households` outside 0–100000", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn households(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<SetHouseholds>,
) -> AppResult<Json<GridRoster>> {
    roster_editor(&me, lang)?;
    req.check(lang).map_err(AppError::fields)?;
    let town_id = me.user.town_id;
    let today = state.config.today();
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    db::grid::unit_of_town(conn, town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::grid::set_households(conn, id, req.households).await?;
    let out = roster_now(conn, town_id, today).await?;
    wtx.commit().await?;
    Ok(Json(out))
}

/// The units `me` covers and everything below them (grid workers and town leaders); every
/// unit of the town for the lead and clerks.
async fn covered(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    units: &[Unit],
) -> AppResult<Vec<i64>> {
    Ok(match me.user.role {
        Role::Lead | Role::Clerk => units.iter().map(|u| u.id).collect(),
        Role::GridWorker | Role::TownLeader => {
            let mut out = Vec::new();
            for unit in db::grid::units_of(conn, me.user.id).await? {
                out.extend(within(units, unit));
            }
            out
        }
        _ => Vec::new(),
    })
}

/// A grid worker's own grid: their units, the open cases there, their visits.
#[utoipa::path(
    get,
    path = "/api/grid/mine",
    tag = "grid",
    responses(
        (status = 200, description = "The units the reader covers (each with the units below it, where a visit can be logged, and its latest visit); the open cases of those units and only those (summaries masked), most urgent first; the reader's visits this month and latest 20", body = MyGrid),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only grid workers and town leaders have a grid of their own", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn mine(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<MyGrid>> {
    if !matches!(me.user.role, Role::GridWorker | Role::TownLeader) {
        return Err(forbidden(
            lang,
            "只有网格员和包村领导有自己的网格。",
            "Only grid workers and town leaders have a grid of their own.",
        ));
    }
    let town_id = me.user.town_id;
    let today = state.config.today();
    let mut conn = state.db.pool.acquire().await?;
    let (units, names) = db::grid::units(&mut conn, town_id).await?;
    let own = db::grid::units_of(&mut conn, me.user.id).await?;
    let since = today - Duration::days(3660);
    let visited = db::grid::visits_by_unit(&mut conn, town_id, since).await?;
    let mut my_units = Vec::new();
    let mut all_within = Vec::new();
    for unit in &own {
        let Some(u) = units.iter().find(|u| u.id == *unit) else {
            continue;
        };
        let ids = within(&units, *unit);
        let mut last = None;
        for (v, latest, _) in &visited {
            if ids.contains(v) {
                let d = db::parse_date(latest)?;
                last = Some(last.map_or(d, |l: NaiveDate| l.max(d)));
            }
        }
        my_units.push(MyUnit {
            id: u.id,
            level: u.level,
            name: names.get(&u.id).cloned().unwrap_or_default(),
            within: ids
                .iter()
                .map(|i| (*i, names.get(i).cloned().unwrap_or_default()))
                .collect(),
            last_visit: last,
        });
        all_within.extend(ids);
    }
    let open = db::grid::open_cases_by_place(&mut conn, town_id).await?;
    let ids: Vec<i64> = open
        .into_iter()
        .filter(|(_, v, a, g)| {
            all_within.contains(v)
                || a.is_some_and(|a| all_within.contains(&a))
                || g.is_some_and(|g| all_within.contains(&g))
        })
        .map(|(id, ..)| id)
        .collect();
    let mut cases: Vec<shared::model::CaseCard> = db::cases::board_entries_of(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|e| e.masked)
        .collect();
    cases.sort_by_key(|c| (c.due_on, c.id));
    let month = today.with_day(1).unwrap_or(today);
    let this_month = db::grid::visits_by_worker(&mut conn, town_id, month, next_month(month))
        .await?
        .into_iter()
        .filter(|(w, ..)| *w == me.user.id)
        .map(|(.., n)| u32::try_from(n).unwrap_or(0))
        .sum();
    let recent = db::grid::recent_of(&mut conn, me.user.id, 20, &names)
        .await?
        .into_iter()
        .map(|s| s.visit)
        .collect();
    Ok(Json(MyGrid {
        units: my_units,
        cases,
        visits_this_month: this_month,
        recent,
    }))
}

/// The case's village, area and group for a visit to `unit`.
fn place_of(units: &[Unit], unit: i64) -> Option<(i64, Option<i64>, Option<i64>)> {
    let u = units.iter().find(|u| u.id == unit)?;
    let parent = |id: Option<i64>| id.and_then(|p| units.iter().find(|u| u.id == p));
    match u.level {
        OrgLevel::Village => Some((u.id, None, None)),
        OrgLevel::Area => Some((u.parent_id?, Some(u.id), None)),
        OrgLevel::Group => {
            let area = parent(u.parent_id)?;
            Some((area.parent_id?, Some(area.id), Some(u.id)))
        }
        _ => None,
    }
}

/// Logs a visit; a matter found becomes a case in the same step.
#[utoipa::path(
    post,
    path = "/api/grid/visits",
    tag = "grid",
    request_body = NewGridVisit,
    responses(
        (status = 201, description = "Logged. Resolved on the spot: a case registered and closed at once (channel grid report) is linked; reported: a registered case, on the board, is linked", body = GridVisit),
        (status = 200, description = "This device sent this visit before (the same `client_key`): the visit logged then, unchanged", body = GridVisit),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only grid workers, town leaders, the center lead and clerks log visits, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused by name: `client_key`, `visited_on` (after today or over 30 days back), `unit_id` (not a unit the visitor covers), `place`, `met`, `phone`, `findings`, `tags`, `outcome`, `matter` and its fields (`matter.repeat_of`: no such earlier case here, or a later one), `photo` (not a JPEG or PNG, or over 150 KB)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn log_visit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<NewGridVisit>,
) -> AppResult<(StatusCode, Json<GridVisit>)> {
    if !matches!(
        me.user.role,
        Role::GridWorker | Role::TownLeader | Role::Lead | Role::Clerk
    ) {
        return Err(forbidden(
            lang,
            "走访记录由网格员、包村领导、中心负责人或窗口受理员登记。",
            "Visits are logged by grid workers, town leaders, the center lead or intake clerks.",
        ));
    }
    let today = state.config.today();
    req.check(today, lang).map_err(AppError::fields)?;
    if req.outcome != VisitOutcome::Noted && !Act::Register.who().permits_role(me.user.role) {
        return Err(ApiError::field("outcome", Reason::NotAllowedHere, lang).into());
    }
    // `check` has decoded and checked the photo already.
    let photo = req
        .photo
        .as_ref()
        .map(|p| (p.content_type.as_str(), p.data.trim()));
    let town_id = me.user.town_id;
    let now = now_ms();
    let calendar = state.calendar().await?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    db::cases::lock_town(conn, town_id).await?;
    let (units, names) = db::grid::units(conn, town_id).await?;
    // A resend of a visit already logged: the same visit.
    if let Some(id) = db::grid::visit_by_key(conn, me.user.id, &req.client_key).await? {
        let v = db::grid::visit(conn, town_id, id, &names)
            .await?
            .ok_or_else(|| AppError::internal("the visit vanished"))?;
        return Ok((StatusCode::OK, Json(v.visit)));
    }
    let mine = covered(conn, &me, &units).await?;
    let place = place_of(&units, req.unit_id)
        .filter(|_| mine.contains(&req.unit_id))
        .ok_or_else(|| {
            ApiError::field(
                "unit_id",
                Reason::Other {
                    zh: "只能登记自己负责的网格内的走访。".to_owned(),
                    en: "Visits are logged in the units you cover.".to_owned(),
                },
                lang,
            )
        })?;
    let phone = req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let mut case = None;
    if let Some(m) = req
        .matter
        .as_ref()
        .filter(|_| req.outcome != VisitOutcome::Noted)
    {
        let mut parties = vec![NewParty {
            side: PartySide::Applicant,
            kind: PartyKind::Person,
            name: req.met.trim().to_owned(),
            phone: phone.map(str::to_owned),
            ..NewParty::default()
        }];
        if !m.respondent.trim().is_empty() {
            parties.push(NewParty {
                side: PartySide::Respondent,
                kind: PartyKind::Person,
                name: m.respondent.trim().to_owned(),
                ..NewParty::default()
            });
        }
        let register = RegisterCase {
            kind: m.kind,
            category: m.category,
            channel: Channel::GridReport,
            risk: m.risk,
            risk_flags: Vec::new(),
            summary: m.summary.trim().to_owned(),
            facts: format!("{}\n({})", req.findings.trim(), req.place.trim()),
            request: m.request.trim().to_owned(),
            village_id: place.0,
            area_id: place.1,
            group_id: place.2,
            parties,
            closed_on_the_spot: (req.outcome == VisitOutcome::Resolved).then(|| ClosedOnTheSpot {
                outcome: m.result.unwrap_or(shared::model::Outcome::Explained),
                summary: m.result_summary.trim().to_owned(),
            }),
            repeat_of: m.repeat_of.clone(),
            not_repeat_of: m.not_repeat_of.clone(),
            from_visit: None,
        };
        shared::validate::check_register(&register, lang).map_err(|errors| {
            AppError::fields(
                errors
                    .into_iter()
                    .map(|mut e| {
                        e.field = format!("matter.{}", e.field);
                        e
                    })
                    .collect(),
            )
        })?;
        let registrar = Registrar {
            user_id: me.user.id,
            name: me.name(),
            role: me.user.role,
        };
        let at = Moment {
            calendar: &calendar,
            today,
            now_ms: now,
        };
        // Its refusals (the repeat link, the place) are the matter's fields.
        let (case_id, code) = insert_registered(conn, town_id, &register, &registrar, &at, lang)
            .await
            .map_err(|e| match e {
                AppError::Api(mut api) => {
                    for f in &mut api.fields {
                        f.field = format!("matter.{}", f.field);
                    }
                    AppError::Api(api)
                }
                other => other,
            })?;
        if RiskFlag::needs_police_notice(&register.risk_flags) {
            super::clock::report_to_police(conn, &me, case_id, town_id, &code, now).await?;
        }
        case = Some(case_id);
    }
    let id = db::grid::insert_visit(
        conn,
        &db::grid::VisitRow {
            town_id,
            unit_id: req.unit_id,
            worker_id: me.user.id,
            visited_on: req.visited_on,
            place: req.place.trim(),
            met: req.met.trim(),
            phone,
            findings: req.findings.trim(),
            tags: tags_to_text(&req.tags),
            outcome: req.outcome,
            case_id: case,
            photo,
            client_key: &req.client_key,
            now_ms: now,
        },
    )
    .await?;
    let v = db::grid::visit(conn, town_id, id, &names)
        .await?
        .ok_or_else(|| AppError::internal("the new visit vanished"))?;
    match case {
        Some(case_id) => {
            let rev = db::cases::bump_town(conn, town_id).await?;
            state.commit_case_change(wtx, town_id, case_id, rev).await?;
        }
        None => wtx.commit().await?,
    }
    Ok((StatusCode::CREATED, Json(v.visit)))
}

/// Who reads visits: `Some(None)` all, `Some(Some(me))` their own, masked or not.
fn visit_reader(me: &CurrentUser, lang: Lang) -> AppResult<(Option<i64>, bool)> {
    match me.user.role {
        Role::Lead | Role::Clerk => Ok((None, false)),
        Role::TownLeader => Ok((None, true)),
        Role::GridWorker => Ok((Some(me.user.id), false)),
        _ => Err(forbidden(
            lang,
            "走访记录只有中心负责人、窗口受理员、包村领导和网格员可以查看。",
            "Visit logs are for the center lead, intake clerks, town leaders and grid workers.",
        )),
    }
}

/// The visits of a period (today by default), newest first.
#[utoipa::path(
    get,
    path = "/api/grid/visits",
    tag = "grid",
    params(VisitFilter),
    responses(
        (status = 200, description = "The visits of the period (both days included), newest first, optionally one worker's or one unit's (and below); those settled on the spot and reported counted. The lead and clerks read all; town leaders all, the person met masked; grid workers their own", body = GridVisits),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role does not read visit logs", body = ApiError),
        (status = 422, description = "`to` before `from`, a period over 366 days, or a date not `YYYY-MM-DD`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn visits(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(f): AppQuery<VisitFilter>,
) -> AppResult<Json<GridVisits>> {
    let (own, masked) = visit_reader(&me, lang)?;
    let (from, to) = shared::logs::LogPeriod {
        from: f.from,
        to: f.to,
    }
    .days(state.config.today(), lang)
    .map_err(AppError::fields)?;
    let town_id = me.user.town_id;
    let mut conn = state.db.pool.acquire().await?;
    let (units, names) = db::grid::units(&mut conn, town_id).await?;
    let worker = own.or(f.worker);
    let unit_within = f.unit.map(|u| within(&units, u));
    let items: Vec<GridVisit> = db::grid::visits(&mut conn, town_id, (from, to), worker, &names)
        .await?
        .into_iter()
        .map(|s| s.visit)
        .filter(|v| unit_within.as_ref().is_none_or(|w| w.contains(&v.unit_id)))
        .collect();
    let items = if masked {
        super::logs::masked_with_case_names(
            &mut conn,
            items,
            |v| v.case.as_ref().map(|c| c.id),
            GridVisit::masked,
        )
        .await?
    } else {
        items
    };
    Ok(Json(GridVisits::of(from, to, items)))
}

/// A visit's photo.
#[utoipa::path(
    get,
    path = "/api/grid/visits/{id}/photo",
    tag = "grid",
    params(("id" = i64, Path, description = "The visit's id")),
    responses(
        (status = 200, description = "The photo, as it was sent", content(("image/jpeg"), ("image/png"))),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "This role does not read visit logs", body = ApiError),
        (status = 404, description = "No such visit with a photo that this reader may see: the lead and clerks see every photo, a grid worker their own, nobody else any", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn photo(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    use base64::Engine as _;
    let (own, masked) = visit_reader(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    let (worker, kind, data) = db::grid::photo(&mut conn, me.user.town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    // A photo may show faces and papers: for those who read visits unmasked (the lead, the
    // clerks) and the one who took it.
    if masked || own.is_some_and(|me| me != worker) {
        return Err(AppError::not_found());
    }
    let (Some(kind), Some(data)) = (kind, data) else {
        return Err(AppError::not_found());
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// What `me` may do with the household list of `unit`: read (masked or not), and change.
async fn household_access(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    units: &[Unit],
    unit: i64,
    lang: Lang,
) -> AppResult<(bool, bool)> {
    match me.user.role {
        Role::Lead | Role::Clerk => Ok((false, true)),
        Role::GridWorker | Role::TownLeader => {
            let mine = covered(conn, me, units).await?.contains(&unit);
            Ok((!mine, mine))
        }
        _ => Err(forbidden(
            lang,
            "户籍名单只有中心负责人、窗口受理员、包村领导和网格员可以查看。",
            "Household lists are for the center lead, intake clerks, town leaders and grid workers.",
        )),
    }
}

async fn list_of(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    unit: i64,
    lang: Lang,
) -> AppResult<Households> {
    let town_id = me.user.town_id;
    let (units, names) = db::grid::units(&mut *conn, town_id).await?;
    if !units.iter().any(|u| u.id == unit) {
        return Err(AppError::not_found());
    }
    let (masked, may_edit) = household_access(conn, me, &units, unit, lang).await?;
    let items = db::grid::households(conn, town_id, &within(&units, unit))
        .await?
        .into_iter()
        .map(|h| if masked { h.masked() } else { h })
        .collect();
    Ok(Households {
        unit_id: unit,
        unit: names.get(&unit).cloned().unwrap_or_default(),
        items,
        may_edit,
    })
}

/// A unit's household list (with the units below it).
#[utoipa::path(
    get,
    path = "/api/roster/units/{id}/household-list",
    tag = "grid",
    params(("id" = i64, Path, description = "The village's, area's or group's id")),
    responses(
        (status = 200, description = "The households of the unit and below it. Head, address and phone masked unless the reader is the lead, a clerk, or covers the unit", body = Households),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks, town leaders and grid workers read household lists", body = ApiError),
        (status = 404, description = "No such village, area or group in this town", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn household_list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Households>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(list_of(&mut conn, &me, id, lang).await?))
}

fn may_not_change(lang: Lang) -> AppError {
    forbidden(
        lang,
        "只有中心负责人、窗口受理员和负责该网格的人员可以维护户籍名单。",
        "Only the center lead, intake clerks and whoever covers the unit keep its household list.",
    )
}

/// Adds a household to a unit's list.
#[utoipa::path(
    post,
    path = "/api/roster/units/{id}/household-list",
    tag = "grid",
    params(("id" = i64, Path, description = "The village's, area's or group's id")),
    request_body = HouseholdForm,
    responses(
        (status = 201, description = "Added; the unit's list as it now stands", body = Households),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the lead, clerks and whoever covers the unit keep its list, or the request came from another site", body = ApiError),
        (status = 404, description = "No such village, area or group in this town", body = ApiError),
        (status = 422, description = "Fields refused by name: `head`, `address`, `phone`, `members` (1–50), `note`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_household(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<HouseholdForm>,
) -> AppResult<(StatusCode, Json<Households>)> {
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let (units, _) = db::grid::units(conn, town_id).await?;
    if !units.iter().any(|u| u.id == id) {
        return Err(AppError::not_found());
    }
    if !household_access(conn, &me, &units, id, lang).await?.1 {
        return Err(may_not_change(lang));
    }
    form.check(lang).map_err(AppError::fields)?;
    db::grid::save_household(conn, (town_id, id), None, &form, (me.user.id, now_ms())).await?;
    let list = list_of(conn, &me, id, lang).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(list)))
}

/// Changes a household of a list.
#[utoipa::path(
    put,
    path = "/api/households/{id}",
    tag = "grid",
    params(("id" = i64, Path, description = "The household's id")),
    request_body = HouseholdForm,
    responses(
        (status = 200, description = "Changed; its unit's list as it now stands", body = Households),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the lead, clerks and whoever covers the unit keep its list, or the request came from another site", body = ApiError),
        (status = 404, description = "No such household in this town", body = ApiError),
        (status = 422, description = "Fields refused by name: `head`, `address`, `phone`, `members` (1–50), `note`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_household(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<HouseholdForm>,
) -> AppResult<Json<Households>> {
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let unit = db::grid::household_unit(conn, town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (units, _) = db::grid::units(conn, town_id).await?;
    if !household_access(conn, &me, &units, unit, lang).await?.1 {
        return Err(may_not_change(lang));
    }
    form.check(lang).map_err(AppError::fields)?;
    db::grid::save_household(
        conn,
        (town_id, unit),
        Some(id),
        &form,
        (me.user.id, now_ms()),
    )
    .await?;
    let list = list_of(conn, &me, unit, lang).await?;
    wtx.commit().await?;
    Ok(Json(list))
}

/// Removes a household from its list (moved away, or entered twice).
#[utoipa::path(
    delete,
    path = "/api/households/{id}",
    tag = "grid",
    params(("id" = i64, Path, description = "The household's id")),
    responses(
        (status = 200, description = "Removed; its unit's list as it now stands", body = Households),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the lead, clerks and whoever covers the unit keep its list, or the request came from another site", body = ApiError),
        (status = 404, description = "No such household in this town", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn delete_household(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Households>> {
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let unit = db::grid::household_unit(conn, town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (units, _) = db::grid::units(conn, town_id).await?;
    if !household_access(conn, &me, &units, unit, lang).await?.1 {
        return Err(may_not_change(lang));
    }
    db::grid::delete_household(conn, id).await?;
    let list = list_of(conn, &me, unit, lang).await?;
    wtx.commit().await?;
    Ok(Json(list))
}

//! The working-day calendar: any signed-in person reads a year (the case page's deadlines
//! rest on it); the administrator enters or corrects a year's schedule, and every open case's
//! due date is counted again on it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use shared::calendar::{CalendarYear, PutCalendarYear, check_year};
use shared::model::Role;
use shared::{ApiError, ErrorKind};
use std::sync::Arc;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::now_ms;
use crate::state::AppState;

/// `/calendar/{year}`.
pub fn router() -> Router<AppState> {
    Router::new().route("/calendar/{year}", get(read_year).put(put_year))
}

fn year_of(raw: i64) -> Result<i32, AppError> {
    i32::try_from(raw)
        .ok()
        .filter(|y| shared::calendar::YEARS.contains(y))
        .ok_or_else(AppError::not_found)
}

async fn year_view(state: &AppState, year: i32) -> AppResult<CalendarYear> {
    let calendar = state.calendar().await?;
    let this = state.config.today().year();
    Ok(CalendarYear {
        year,
        entered: calendar.covers(year),
        days: calendar.days_of(year),
        missing_years: calendar.missing_years(this, this + 1),
    })
}

/// One year of the calendar, and which of this year and the next have no schedule.
#[utoipa::path(
    get,
    path = "/api/calendar/{year}",
    tag = "calendar",
    params(("year" = i32, Path, description = "The year, 2000 to 2100")),
    responses(
        (status = 200, description = "The year's holidays and make-up working days", body = CalendarYear),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "Not a year the calendar keeps", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read_year(
    State(state): State<AppState>,
    _me: CurrentUser,
    IdPath(raw): IdPath,
) -> AppResult<Json<CalendarYear>> {
    let year = year_of(raw)?;
    Ok(Json(year_view(&state, year).await?))
}

/// Enters (or replaces) a year's schedule; the administrator only. Open cases' due dates are
/// counted again on the new calendar.
#[utoipa::path(
    put,
    path = "/api/calendar/{year}",
    tag = "calendar",
    params(("year" = i32, Path, description = "The year, 2000 to 2100")),
    request_body = PutCalendarYear,
    responses(
        (status = 200, description = "The year as now entered", body = CalendarYear),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator edits the calendar, or the request came from another site", body = ApiError),
        (status = 404, description = "Not a year the calendar keeps", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: each names the entry and the reason", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn put_year(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(raw): IdPath,
    AppJson(mut req): AppJson<PutCalendarYear>,
) -> AppResult<Json<CalendarYear>> {
    if me.user.role != Role::Admin {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "只有系统管理员可以修改节假日安排。",
                "Only the administrator edits the holiday calendar.",
            ))
            .into());
    }
    let year = year_of(raw)?;
    check_year(year, &req, lang).map_err(AppError::fields)?;
    for d in &mut req.days {
        d.name = d.name.trim().to_owned();
    }
    let today = state.config.today();
    let mut wtx = state.db.begin_write().await?;
    db::calendar::replace_year(&mut wtx.tx, year, &req.days, Some(me.user.id), now_ms()).await?;
    let calendar = Arc::new(db::calendar::load(&mut wtx.tx).await?);
    let towns = db::calendar::recount_open_cases(&mut wtx.tx, &calendar, today).await?;
    for town in &towns {
        db::cases::bump_town(&mut wtx.tx, *town).await?;
    }
    wtx.commit().await?;
    state.set_calendar(calendar);
    if !towns.is_empty() {
        state.clear_caches();
        // Open boards show due dates that moved: they reload.
        let mut revs = Vec::with_capacity(towns.len());
        for town in &towns {
            revs.push((*town, state.town_rev(*town).await?));
        }
        state.live.reload_all(&towns, |t| {
            revs.iter().find(|(x, _)| *x == t).map_or(0, |(_, r)| *r)
        });
    }
    Ok(Json(year_view(&state, year).await?))
}

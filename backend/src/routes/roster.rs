//! Who to route a case to: `GET /api/cases/{id}/suggestions`, the town's mediators ranked for
//! the case by `shared::roster::suggest` (specialty, load, village committee, this week's
//! sessions; 回避 left out), for those who may route it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, Days};
use shared::ApiError;
use shared::model::Category;
use shared::roster::{Suggestions, suggest};
use shared::workflow::{self, CommandKind};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppResult, IdPath, RequestLang};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/cases/{id}/suggestions", get(suggestions))
}

/// The mediators to suggest when routing a case, best first, with why.
#[utoipa::path(
    get,
    path = "/api/cases/{id}/suggestions",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "Every active mediator of the town but those under 回避 for the case, best first: a specialist in the case's category, then the fewest open cases, then one serving the case's village committee, then the fewest sessions this week; and the names left out under 回避", body = Suggestions),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only those who route (the center lead) are given suggestions", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn suggestions(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Suggestions>> {
    let mut conn = state.db.pool.acquire().await?;
    let row = db::cases::by_id(&mut conn, id)
        .await?
        .filter(|r| r.facts().is_ok_and(|f| workflow::may_read(&me.actor, &f)))
        .ok_or_else(AppError::not_found)?;
    let facts = row.facts()?;
    if !CommandKind::Route.is_permitted(&me.actor, &facts) {
        return Err(ApiError::new(shared::ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "只有中心负责人分流案件,才会得到调解员推荐。",
                "Only the center lead, who routes cases, is given suggestions.",
            ))
            .into());
    }
    let today = state.config.today();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let next_monday = monday + Days::new(7);
    let week = |d: chrono::NaiveDate| format!("{}T00:00:00", d.format("%Y-%m-%d"));
    let candidates =
        db::roster::candidates(&mut conn, row.town_id, &week(monday), &week(next_monday)).await?;
    let exclusions = db::mediation::exclusions(&mut conn, id).await?;
    let excluded: Vec<i64> = exclusions.iter().map(|e| e.user_id).collect();
    let category: Category = row.category()?;
    Ok(Json(Suggestions {
        suggestions: suggest(category, row.village_id, &candidates, &excluded),
        excluded: exclusions.into_iter().map(|e| e.name).collect(),
    }))
}

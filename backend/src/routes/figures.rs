//! The center's figures, for the center's lead, the town leaders and the administrator:
//! `GET /api/dashboard` (统计: every figure of `shared::figures` for a period and place, built
//! by `crate::dashboard`) and `GET /api/figures/satisfaction` (how the residents rated the
//! cases their town closed in a period: 满意 / 基本满意 / 不满意, and the satisfaction rate).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use shared::api::SatisfactionFigures;
use shared::figures::{Dashboard, DashboardQuery};
use shared::model::Role;
use shared::{ApiError, Lang};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppQuery, AppResult, RequestLang};
use crate::state::AppState;
use crate::{dashboard, db};

/// `/figures/satisfaction`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/figures/satisfaction", get(satisfaction))
        .route("/dashboard", get(dashboard))
}

/// The period of a figure: both days included, either end open.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// The first day (`YYYY-MM-DD`), in the centers' time zone.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// The last day (`YYYY-MM-DD`), included.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// Who sees a town's figures.
fn sees_figures(role: Role) -> bool {
    matches!(role, Role::Lead | Role::TownLeader | Role::Admin)
}

/// The refusal of the figures to anyone else; the dashboard names the county officers too
/// (`county`), who read any town's.
fn forbidden(lang: Lang, county: bool) -> AppError {
    let (zh, en) = if county {
        (
            "只有中心负责人、包村领导、系统管理员和县级政法干部可以查看统计数字。",
            "Only the center's lead, the town leaders, the administrator and the county officers see the figures.",
        )
    } else {
        (
            "只有中心负责人、包村领导和系统管理员可以查看统计数字。",
            "Only the center's lead, the town leaders and the administrator see the figures.",
        )
    };
    ApiError::new(shared::ErrorKind::Forbidden, lang)
        .with_message(lang.pick(zh, en))
        .into()
}

#[utoipa::path(
    get,
    path = "/api/dashboard",
    tag = "figures",
    params(DashboardQuery),
    responses(
        (status = 200, description = "The town's figures (a county officer's: the town named by `town`) for the period (the last twelve months when none is given) and place: totals, rates, tables by kind, category, village, channel, mediator and department, the monthly trend, the overdue cases and the villages whose matters rose", body = Dashboard),
        (status = 400, description = "The query string does not parse", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead, the town leaders, the administrator and the county officers see the figures", body = ApiError),
        (status = 422, description = "`from` or `to` is not a real date, `to` is before `from`, the period is longer than five years, `village` is not a village of the town, `rise` is not 1–1000, or `town` is missing (a county officer), not a town, or not the reader's own: the field is named", body = ApiError),
        (status = 429, description = "The server is busy counting; try again after `Retry-After` seconds", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(query): AppQuery<DashboardQuery>,
) -> AppResult<Json<Dashboard>> {
    let county = me.user.role == Role::CountyOfficer;
    if !sees_figures(me.user.role) && !county {
        return Err(forbidden(lang, true));
    }
    let today = state.config.today();
    let (from, to) = query.check(today, lang).map_err(AppError::fields)?;
    let town_id = match (query.town, me.user.role) {
        (None, Role::CountyOfficer) => {
            return Err(AppError::fields(vec![shared::FieldError::new(
                "town",
                shared::Reason::Other {
                    zh: "请选择要查看哪个乡镇的统计。".into(),
                    en: "Choose the town whose figures to read.".into(),
                },
                lang,
            )]));
        }
        (Some(town), Role::CountyOfficer) => {
            let mut conn = state.db.pool.acquire().await?;
            if !db::county::town_ids(&mut conn).await?.contains(&town) {
                return Err(AppError::fields(vec![shared::FieldError::new(
                    "town",
                    shared::Reason::Other {
                        zh: "没有这个乡镇。".into(),
                        en: "There is no such town.".into(),
                    },
                    lang,
                )]));
            }
            town
        }
        (Some(town), _) if town != me.actor.town_id => {
            return Err(AppError::fields(vec![shared::FieldError::new(
                "town",
                shared::Reason::NotAllowedHere,
                lang,
            )]));
        }
        _ => me.actor.town_id,
    };
    if let Some(village) = query.village {
        let mut conn = state.db.pool.acquire().await?;
        if !db::org::is_village_of(&mut conn, town_id, village).await? {
            return Err(AppError::fields(vec![shared::FieldError::new(
                "village",
                shared::Reason::Other {
                    zh: "不是本镇的村(社区)。".into(),
                    en: "This is not a village of your town.".into(),
                },
                lang,
            )]));
        }
    }
    let asked = dashboard::Asked {
        town_id,
        village_id: query.village,
        from,
        to,
        rise_pct: dashboard::rise_or_default(query.rise),
        lang,
        today,
    };
    let built = dashboard::get(&state, asked).await?;
    Ok(Json(Dashboard::clone(&built)))
}

#[utoipa::path(
    get,
    path = "/api/figures/satisfaction",
    tag = "figures",
    params(Period),
    responses(
        (status = 200, description = "The ratings of the cases the town closed in the period", body = SatisfactionFigures),
        (status = 400, description = "The query string does not parse", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead, the town leaders and the administrator see the figures", body = ApiError),
        (status = 422, description = "`from` or `to` is not a real date (`YYYY-MM-DD`), or `to` is before `from`: the field is named", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn satisfaction(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(period): AppQuery<Period>,
) -> AppResult<Json<SatisfactionFigures>> {
    if !sees_figures(me.user.role) {
        return Err(forbidden(lang, false));
    }
    if let (Some(from), Some(to)) = (period.from, period.to)
        && to < from
    {
        return Err(AppError::fields(vec![shared::FieldError::new(
            "to",
            shared::api::period_reversed(),
            lang,
        )]));
    }
    let (from_ms, to_ms) = state.config.day_bounds(period.from, period.to);
    let mut conn = state.db.pool.acquire().await?;
    let (closed, [s, b, d]) =
        db::cases::satisfaction_counts(&mut conn, me.actor.town_id, from_ms, to_ms).await?;
    Ok(Json(SatisfactionFigures::from_counts(
        period.from,
        period.to,
        closed,
        s,
        b,
        d,
    )))
}

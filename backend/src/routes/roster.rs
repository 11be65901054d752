//! Who to route a case to: `GET /api/cases/{id}/suggestions`, the town's mediators ranked for
//! the case by `shared::roster::suggest` (specialty, load, village committee, this week's
//! sessions; 回避 left out), for those who may route it.
//!
//! The mediator roster (`/roster/people`): mediators and village legal helpers (法律明白人) as
//! people — the selection standards recorded, the committee they serve, appointment,
//! trainings, load and satisfaction. Read by the center lead, clerks, town leaders and
//! mediators (phones masked but for the lead and clerks); changed by the lead.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{Datelike, Days, NaiveDate};
use shared::model::{Category, OrgLevel, Quality, Role, RosterKind};
use shared::privacy::mask_phone;
use shared::roster::{
    NewTraining, PeopleRoster, PersonForm, RosterPerson, Suggestions, Training, suggest,
};
use shared::workflow::{self, CommandKind};
use shared::{ApiError, ErrorKind, Lang, Reason};
use sqlx::AnyConnection;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/suggestions", get(suggestions))
        .route("/roster/people", get(people).post(add_person))
        .route("/roster/people/{id}", put(change_person))
        .route("/roster/people/{id}/trainings", post(add_training))
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
    let (monday, next_monday) = week_of(state.config.today());
    let candidates = db::roster::candidates(&mut conn, row.town_id, &monday, &next_monday).await?;
    let exclusions = db::mediation::exclusions(&mut conn, id).await?;
    let excluded: Vec<i64> = exclusions.iter().map(|e| e.user_id).collect();
    let category: Category = row.category()?;
    Ok(Json(Suggestions {
        suggestions: suggest(category, row.village_id, &candidates, &excluded),
        excluded: exclusions.into_iter().map(|e| e.name).collect(),
    }))
}

/// This week's bounds (Monday to the next Monday) as the sessions' local times.
fn week_of(today: NaiveDate) -> (String, String) {
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let next_monday = monday + Days::new(7);
    let week = |d: NaiveDate| format!("{}T00:00:00", d.format("%Y-%m-%d"));
    (week(monday), week(next_monday))
}

/// Whether `me` reads the mediator roster, and with phones masked.
fn people_reader(me: &CurrentUser, lang: Lang) -> AppResult<bool> {
    match me.user.role {
        Role::Lead | Role::Clerk => Ok(false),
        Role::TownLeader | Role::Mediator => Ok(true),
        _ => Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "调解员名册只有中心负责人、窗口受理员、包村领导和调解员可以查看。",
                "The mediator roster is for the center lead, intake clerks, town leaders and mediators.",
            ))
            .into()),
    }
}

fn people_editor(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    if me.user.role == Role::Lead {
        return Ok(());
    }
    Err(ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "调解员名册只能由中心负责人调整。",
            "Only the center lead changes the mediator roster.",
        ))
        .into())
}

/// The town's roster with each person's load and satisfaction.
async fn build_people(
    conn: &mut AnyConnection,
    town_id: i64,
    today: NaiveDate,
    masked: bool,
    lang: Lang,
) -> AppResult<Vec<RosterPerson>> {
    let rows = db::roster::people(&mut *conn, town_id).await?;
    let specialties = db::roster::specialties(&mut *conn, town_id).await?;
    let mut trainings = db::roster::trainings(&mut *conn, town_id).await?;
    let ratings = db::roster::ratings(&mut *conn, town_id).await?;
    let (monday, next_monday) = week_of(today);
    let load = db::roster::candidates(&mut *conn, town_id, &monday, &next_monday).await?;
    let units = db::org::town_tree(&mut *conn, town_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: RosterKind = db::parse_enum("roster kind", &r.kind)?;
        let qualities: Vec<Quality> = r.qualities.split(',').filter_map(Quality::parse).collect();
        let trainings: Vec<Training> = trainings.remove(&r.id).unwrap_or_default();
        let candidate = r.user_id.and_then(|u| load.iter().find(|c| c.user_id == u));
        let (rated, rated_satisfied) = r
            .user_id
            .and_then(|u| ratings.get(&u).copied())
            .unwrap_or_default();
        let serves = r
            .serves_unit_id
            .and_then(|id| units.iter().find(|u| u.id == id))
            .map_or_else(
                || lang.pick("镇调委会", "The town's committee").to_owned(),
                |u| match lang {
                    Lang::Zh => format!("{}调委会", u.name),
                    Lang::En => format!("{} committee", u.name),
                },
            );
        // The note is free text: numbers and the person's name masked where the phone is.
        let note = if masked {
            shared::privacy::Redactor::for_names([r.name.as_str()]).redact(&r.note)
        } else {
            r.note.clone()
        };
        out.push(RosterPerson {
            id: r.id,
            user_id: r.user_id,
            kind,
            name: r.name,
            phone: r.phone.map(|p| if masked { mask_phone(&p) } else { p }),
            serves_unit_id: r.serves_unit_id,
            serves,
            appointed_on: r.appointed_on.as_deref().map(db::parse_date).transpose()?,
            qualities,
            specialties: specialties.get(&r.id).cloned().unwrap_or_default(),
            note,
            active: r.active == 1,
            training_hours: trainings.iter().map(|t| t.hours).sum(),
            trainings,
            open_cases: candidate.map_or(0, |c| c.open_cases),
            sessions_this_week: candidate.map_or(0, |c| c.sessions_this_week),
            followed_up: candidate.map_or(0, |c| c.followed_up),
            satisfied: candidate.map_or(0, |c| c.satisfied),
            rated,
            rated_satisfied,
        });
    }
    Ok(out)
}

/// The town's mediators and village legal helpers.
#[utoipa::path(
    get,
    path = "/api/roster/people",
    tag = "roster",
    responses(
        (status = 200, description = "Every mediator and legal helper of the town, active first: qualities, specialties, the committee they serve, appointment, trainings, open cases, sessions this week, follow-up and rating satisfaction. Phones masked but for the lead and clerks", body = PeopleRoster),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead, intake clerks, town leaders and mediators read the roster", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn people(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<PeopleRoster>> {
    let masked = people_reader(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    let people = build_people(
        &mut conn,
        me.user.town_id,
        state.config.today(),
        masked,
        lang,
    )
    .await?;
    Ok(Json(PeopleRoster {
        people,
        may_edit: me.user.role == Role::Lead,
    }))
}

/// The form's fields, checked against the town (the committee must be one of its villages).
async fn fields_of<'a>(
    conn: &mut AnyConnection,
    town_id: i64,
    form: &'a PersonForm,
    today: NaiveDate,
    lang: Lang,
) -> AppResult<db::roster::PersonFields<'a>> {
    form.check(today, lang).map_err(AppError::fields)?;
    if let Some(unit) = form.serves_unit_id {
        let village = db::org::town_tree(&mut *conn, town_id)
            .await?
            .into_iter()
            .any(|u| u.id == unit && u.level == OrgLevel::Village);
        if !village {
            return Err(ApiError::field("serves_unit_id", Reason::NoSuchItem, lang).into());
        }
    }
    Ok(db::roster::PersonFields {
        kind: form.kind.as_str(),
        name: form.name.trim(),
        phone: form
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty()),
        serves_unit_id: form.serves_unit_id,
        appointed_on: form.appointed_on.map(db::date_text),
        qualities: form
            .qualities
            .iter()
            .map(|q| q.as_str())
            .collect::<Vec<_>>()
            .join(","),
        note: form.note.trim(),
        active: form.active,
    })
}

/// The person as the lead now reads them.
async fn person_now(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
    today: NaiveDate,
    lang: Lang,
) -> AppResult<RosterPerson> {
    build_people(conn, town_id, today, false, lang)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::internal("the person vanished"))
}

/// Adds a person without an account: a village legal helper, or a mediator (cases are routed
/// to mediators' accounts, which the administrator creates).
#[utoipa::path(
    post,
    path = "/api/roster/people",
    tag = "roster",
    request_body = PersonForm,
    responses(
        (status = 201, description = "Added", body = RosterPerson),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead changes the roster, or the request came from another site", body = ApiError),
        (status = 422, description = "Fields refused by name: `name`, `phone`, `serves_unit_id` (not a village of this town), `appointed_on` (after today), `qualities[i]` and `specialties[i]` (twice), `note`", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_person(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(form): AppJson<PersonForm>,
) -> AppResult<(StatusCode, Json<RosterPerson>)> {
    people_editor(&me, lang)?;
    let today = state.config.today();
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let fields = fields_of(conn, town_id, &form, today, lang).await?;
    let id = db::roster::insert_person(conn, town_id, &fields, super::now_ms()).await?;
    db::roster::set_specialties(conn, id, &form.specialties).await?;
    let person = person_now(conn, town_id, id, today, lang).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(person)))
}

/// Changes a person: qualities, specialties, committee, appointment, phone, note, active. A
/// mediator with an account keeps the account's name and kind.
#[utoipa::path(
    put,
    path = "/api/roster/people/{id}",
    tag = "roster",
    params(("id" = i64, Path, description = "The person's id on the roster")),
    request_body = PersonForm,
    responses(
        (status = 200, description = "Changed; the person as they now stand (the routing dialog's suggestions use the new specialties and committee at once)", body = RosterPerson),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead changes the roster, or the request came from another site", body = ApiError),
        (status = 404, description = "No such person on this town's roster", body = ApiError),
        (status = 422, description = "Fields refused by name, as when adding; `kind` cannot change for a mediator with an account", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_person(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<PersonForm>,
) -> AppResult<Json<RosterPerson>> {
    people_editor(&me, lang)?;
    let today = state.config.today();
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    let before = db::roster::person(conn, town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut fields = fields_of(conn, town_id, &form, today, lang).await?;
    if before.user_id.is_some() {
        if form.kind.as_str() != before.kind {
            return Err(ApiError::field("kind", Reason::NotAllowedHere, lang).into());
        }
        // The account's name is the one shown everywhere else.
        fields.name = "";
    }
    let stored_name = if before.user_id.is_some() {
        before.name.clone()
    } else {
        fields.name.to_owned()
    };
    let fields = db::roster::PersonFields {
        name: &stored_name,
        kind: before.kind.as_str(),
        ..fields
    };
    db::roster::update_person(conn, id, &fields).await?;
    db::roster::set_specialties(conn, id, &form.specialties).await?;
    let person = person_now(conn, town_id, id, today, lang).await?;
    wtx.commit().await?;
    Ok(Json(person))
}

/// Records a training a person took part in.
#[utoipa::path(
    post,
    path = "/api/roster/people/{id}/trainings",
    tag = "roster",
    params(("id" = i64, Path, description = "The person's id on the roster")),
    request_body = NewTraining,
    responses(
        (status = 201, description = "Recorded; the person with their trainings", body = RosterPerson),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center lead changes the roster, or the request came from another site", body = ApiError),
        (status = 404, description = "No such person on this town's roster", body = ApiError),
        (status = 422, description = "Fields refused by name: `held_on` (after today), `title`, `hours` (1–200)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_training(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(t): AppJson<NewTraining>,
) -> AppResult<(StatusCode, Json<RosterPerson>)> {
    people_editor(&me, lang)?;
    let today = state.config.today();
    t.check(today, lang).map_err(AppError::fields)?;
    let town_id = me.user.town_id;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut *wtx.tx;
    db::roster::person(conn, town_id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::roster::insert_training(conn, id, &t, super::now_ms()).await?;
    let person = person_now(conn, town_id, id, today, lang).await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(person)))
}

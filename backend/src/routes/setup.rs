//! Setting up a county without the demo (the administrator's): the org tree — county, towns,
//! villages, areas, groups — typed one unit at a time or imported from a CSV or XLSX sheet
//! (checked whole, with every bad row named, before anything is written); and each town's
//! departments and service rooms with their response times. Every change is in the audit log.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use shared::api::Center;
use shared::categories::{CategoryForm, CategorySetting};
use shared::deadline::{ClockSetting, ClockSettingForm, DayUnit, Track};
use shared::model::Category;
use shared::model::OrgLevel;
use shared::orgsheet::{
    AdminDepartment, AdminUnit, DepartmentForm, Existing, OrgImport, OrgPreview, SheetFormat,
    TownCenter, UnitForm, check_center, check_sheet, check_town_code, check_unit_name,
    default_center, parse_csv,
};
use shared::{ApiError, FieldError, Lang, Reason};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::now_ms;
use crate::state::AppState;

/// `/admin/org`, `/admin/org/units`, `/admin/org/import`, `/admin/departments`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/org", get(tree))
        .route("/admin/org/units", post(add_unit))
        .route("/admin/org/units/{id}", put(change_unit))
        .route("/admin/org/import", post(import))
        .route("/admin/departments", get(departments).post(add_department))
        .route("/admin/departments/{id}", put(change_department))
        .route("/categories", get(categories))
        .route("/admin/categories/{category}", put(change_category))
        .route("/admin/clocks", get(clocks))
        .route("/admin/clocks/{track}", put(change_clock))
        .route("/admin/centers", get(centers))
        .route("/admin/centers/{id}", put(change_center))
}

/// Every category with the name new cases get and whether it is retired (the intake form
/// offers the others).
#[utoipa::path(
    get,
    path = "/api/categories",
    tag = "org",
    responses(
        (status = 200, description = "Every category: its name for new cases, renamed or not, retired or not", body = Vec<CategorySetting>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn categories(
    State(state): State<AppState>,
    _me: CurrentUser,
) -> AppResult<Json<Vec<CategorySetting>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(db::categories::settings(&mut conn).await?))
}

/// Renames a category for new cases or retires it (cases already registered keep theirs).
#[utoipa::path(
    put,
    path = "/api/admin/categories/{category}",
    tag = "admin",
    params(("category" = String, Path, description = "The category's wire name (`neighbour`)")),
    request_body = CategoryForm,
    responses(
        (status = 200, description = "The category as new cases now get it", body = CategorySetting),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such category", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`zh`, `en`: required, one line, at most 20 characters)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_category(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    axum::extract::Path(category): axum::extract::Path<String>,
    AppJson(form): AppJson<CategoryForm>,
) -> AppResult<Json<CategorySetting>> {
    admin_only(&me, lang)?;
    let category = Category::parse(&category).ok_or_else(AppError::not_found)?;
    form.check(lang).map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let before = db::categories::setting(conn, category).await?;
    db::categories::put(conn, category, &form, me.user.id, now_ms()).await?;
    let after = db::categories::setting(conn, category).await?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("category_changed", category.as_str()),
        (&json(&before), &json(&after)),
        now_ms(),
    )
    .await?;
    wtx.commit().await?;
    Ok(Json(after))
}

/// Every track's default clock: the standard one and the one new cases get.
#[utoipa::path(
    get,
    path = "/api/admin/clocks",
    tag = "admin",
    responses(
        (status = 200, description = "Every track's default clock", body = Vec<ClockSetting>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn clocks(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<ClockSetting>>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    let set = db::clock::clock_settings(&mut conn).await?;
    Ok(Json(settings_of(&set)))
}

fn settings_of(set: &[(Track, u16, DayUnit)]) -> Vec<ClockSetting> {
    Track::ALL
        .into_iter()
        .map(|t| {
            let current = set
                .iter()
                .find(|(s, _, _)| *s == t)
                .map(|(_, d, u)| (*d, *u));
            ClockSetting::of(t, current)
        })
        .collect()
}

/// Sets a track's default clock for new cases (cases already registered keep theirs).
#[utoipa::path(
    put,
    path = "/api/admin/clocks/{track}",
    tag = "admin",
    params(("track" = String, Path, description = "The track's wire name (`petition`)")),
    request_body = ClockSettingForm,
    responses(
        (status = 200, description = "The track's setting as it now is", body = ClockSetting),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such track", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: `days` (1 to 365; a statutory track no longer than its law), `unit` (a statutory track keeps its own)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_clock(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    axum::extract::Path(track): axum::extract::Path<String>,
    AppJson(form): AppJson<ClockSettingForm>,
) -> AppResult<Json<ClockSetting>> {
    admin_only(&me, lang)?;
    let track = Track::parse(&track).ok_or_else(AppError::not_found)?;
    form.check(track, lang).map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let before = settings_of(&db::clock::clock_settings(conn).await?)
        .into_iter()
        .find(|s| s.track == track);
    db::clock::put_clock_setting(conn, track, form.days, form.unit, me.user.id, now_ms()).await?;
    let after = ClockSetting::of(track, Some((form.days, form.unit)));
    db::accounts::audit(
        conn,
        me.user.id,
        ("clock_changed", track.as_str()),
        (&json(&before), &json(&after)),
        now_ms(),
    )
    .await?;
    wtx.commit().await?;
    Ok(Json(after))
}

/// Every town's center.
#[utoipa::path(
    get,
    path = "/api/admin/centers",
    tag = "admin",
    responses(
        (status = 200, description = "Every town's center: name, address, phone", body = Vec<TownCenter>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn centers(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<TownCenter>>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        db::org::centers(&mut conn)
            .await?
            .into_iter()
            .map(|(town_id, c)| TownCenter {
                town_id,
                center: Center {
                    name: c.name,
                    address: c.address,
                    phone: c.phone,
                },
            })
            .collect(),
    ))
}

/// Sets a town's center as its receipts and the public pages name it.
#[utoipa::path(
    put,
    path = "/api/admin/centers/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The town's id")),
    request_body = Center,
    responses(
        (status = 200, description = "The center as it now is", body = TownCenter),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such town", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`name` required, `address`, `phone`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_center(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<Center>,
) -> AppResult<Json<TownCenter>> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let town = db::org::unit(conn, id).await?;
    if town.as_ref().and_then(|t| t.level().ok()) != Some(OrgLevel::Town) {
        return Err(AppError::not_found());
    }
    check_center(&form, lang).map_err(AppError::fields)?;
    let center = Center {
        name: form.name.trim().to_owned(),
        address: form.address.trim().to_owned(),
        phone: form.phone.trim().to_owned(),
    };
    let before = db::org::center(conn, id).await?.map(|c| Center {
        name: c.name,
        address: c.address,
        phone: c.phone,
    });
    db::org::put_center(
        conn,
        id,
        &db::org::CenterRow {
            name: center.name.clone(),
            address: center.address.clone(),
            phone: center.phone.clone(),
        },
    )
    .await?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("center_changed", &center.name),
        (&json(&before), &json(&center)),
        now_ms(),
    )
    .await?;
    wtx.commit().await?;
    Ok(Json(TownCenter {
        town_id: id,
        center,
    }))
}

/// Records a new town's starting center (its name; address and phone to be filled in).
async fn start_center(conn: &mut sqlx::AnyConnection, town: i64, name: &str) -> AppResult<()> {
    let c = default_center(name);
    db::org::put_center(
        conn,
        town,
        &db::org::CenterRow {
            name: c.name,
            address: c.address,
            phone: c.phone,
        },
    )
    .await?;
    Ok(())
}

fn admin_only(me: &CurrentUser, lang: Lang) -> AppResult<()> {
    crate::auth::admin_only(
        me,
        lang,
        (
            "只有系统管理员可以设置组织架构和部门。",
            "Only the administrator sets up the org tree and the departments.",
        ),
    )
}

fn field(name: &str, reason: Reason, lang: Lang) -> AppError {
    AppError::fields(vec![FieldError::new(name, reason, lang)])
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The whole tree with the towns' codes.
#[utoipa::path(
    get,
    path = "/api/admin/org",
    tag = "admin",
    responses(
        (status = 200, description = "Every unit, county first, with the towns' codes", body = Vec<AdminUnit>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn tree(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<AdminUnit>>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(db::org::admin_units(&mut conn).await?))
}

/// The level of a unit under `parent` (none: the county).
fn level_under(parent: Option<OrgLevel>) -> Option<OrgLevel> {
    match parent {
        None => Some(OrgLevel::County),
        Some(OrgLevel::County) => Some(OrgLevel::Town),
        Some(OrgLevel::Town) => Some(OrgLevel::Village),
        Some(OrgLevel::Village) => Some(OrgLevel::Area),
        Some(OrgLevel::Area) => Some(OrgLevel::Group),
        Some(OrgLevel::Group) => None,
    }
}

/// Checks a unit's name among its siblings and, for a town, its code; the checked values.
async fn check_unit(
    conn: &mut sqlx::AnyConnection,
    form: &UnitForm,
    level: OrgLevel,
    parent_id: Option<i64>,
    id: Option<i64>,
    lang: Lang,
) -> AppResult<(String, Option<String>)> {
    let mut errors = Vec::new();
    let name = match check_unit_name(&form.name) {
        Ok(name) => {
            if db::org::sibling_named(conn, parent_id, &name, id).await? {
                errors.push(FieldError::new("name", Reason::Duplicate, lang));
            }
            name
        }
        Err(reason) => {
            errors.push(FieldError::new("name", reason, lang));
            String::new()
        }
    };
    let code = match (level, form.code.as_deref().map(str::trim)) {
        (OrgLevel::Town, None | Some("")) => {
            errors.push(FieldError::new("code", Reason::Required, lang));
            None
        }
        (OrgLevel::Town, Some(code)) => match check_town_code(code) {
            Ok(code) => {
                if db::org::code_taken(conn, &code, id).await? {
                    errors.push(FieldError::new("code", Reason::Duplicate, lang));
                }
                Some(code)
            }
            Err(reason) => {
                errors.push(FieldError::new("code", reason, lang));
                None
            }
        },
        (_, None | Some("")) => None,
        (_, Some(_)) => {
            errors.push(FieldError::new("code", Reason::NotAllowedHere, lang));
            None
        }
    };
    if errors.is_empty() {
        Ok((name, code))
    } else {
        Err(AppError::fields(errors))
    }
}

/// Adds one unit: the county (once), a town under it (with its code), a village under a town,
/// an area under a village, a group under an area.
#[utoipa::path(
    post,
    path = "/api/admin/org/units",
    tag = "admin",
    request_body = UnitForm,
    responses(
        (status = 201, description = "The unit as stored", body = AdminUnit),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused: `parent_id` (none such, a group, or a second county), `name` (blank, too long, taken beside it), `code` (a town's: required, 1 to 4 capital letters, not another town's)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_unit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(form): AppJson<UnitForm>,
) -> AppResult<(StatusCode, Json<AdminUnit>)> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let parent = match form.parent_id {
        Some(p) => Some(
            db::org::unit(conn, p)
                .await?
                .ok_or_else(|| field("parent_id", Reason::NoSuchItem, lang))?,
        ),
        None => None,
    };
    let parent_level = parent.as_ref().map(|p| p.level()).transpose()?;
    let level = level_under(parent_level).ok_or_else(|| {
        field(
            "parent_id",
            Reason::Other {
                zh: "组是最下一级,不能再分。".into(),
                en: "A group is the lowest level: nothing goes below it.".into(),
            },
            lang,
        )
    })?;
    if level == OrgLevel::County && db::org::county_id(conn).await?.is_some() {
        return Err(field(
            "parent_id",
            Reason::Other {
                zh: "县已建立:乡镇请建在县下。".into(),
                en: "The county exists already: a town goes under it.".into(),
            },
            lang,
        ));
    }
    let (name, code) = check_unit(conn, &form, level, form.parent_id, None, lang).await?;
    let town_id = match (&parent, level) {
        (_, OrgLevel::County | OrgLevel::Town) => None,
        (Some(p), _) => p.town_id,
        (None, _) => None,
    };
    let id =
        db::org::insert_unit(conn, form.parent_id, level, &name, town_id, code.as_deref()).await?;
    if level == OrgLevel::Town {
        start_center(conn, id, &name).await?;
    }
    let unit = AdminUnit {
        id,
        parent_id: form.parent_id,
        level,
        name,
        code,
    };
    db::accounts::audit(
        conn,
        me.user.id,
        (
            "org_unit_added",
            &format!("{} {}", level.as_str(), unit.name),
        ),
        ("", &json(&unit)),
        now_ms(),
    )
    .await?;
    wtx.commit().await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// Renames a unit (and changes a town's code): cases keep pointing at it and show the new name.
#[utoipa::path(
    put,
    path = "/api/admin/org/units/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The unit's id")),
    request_body = UnitForm,
    responses(
        (status = 200, description = "The unit as it now is", body = AdminUnit),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such unit", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`name`, `code`; `parent_id` cannot change)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_unit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<UnitForm>,
) -> AppResult<Json<AdminUnit>> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let row = db::org::unit(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if form.parent_id.is_some() && form.parent_id != row.parent_id {
        return Err(field(
            "parent_id",
            Reason::Other {
                zh: "单位不能移到别的上级下:请新建后迁移。".into(),
                en: "A unit cannot move under another parent.".into(),
            },
            lang,
        ));
    }
    let level = row.level()?;
    let before = AdminUnit {
        id,
        parent_id: row.parent_id,
        level,
        name: row.name.clone(),
        code: db::org::town_code(conn, id)
            .await?
            .filter(|_| level == OrgLevel::Town),
    };
    let (name, code) = check_unit(conn, &form, level, row.parent_id, Some(id), lang).await?;
    db::org::rename_unit(conn, id, &name, code.as_deref()).await?;
    let after = AdminUnit {
        name,
        code,
        ..before.clone()
    };
    db::accounts::audit(
        conn,
        me.user.id,
        (
            "org_unit_changed",
            &format!("{} {}", level.as_str(), before.name),
        ),
        (&json(&before), &json(&after)),
        now_ms(),
    )
    .await?;
    let town = row.town_id;
    match town {
        Some(town) => {
            let rev = db::cases::bump_town(conn, town).await?;
            state.commit_town_change(wtx, town, rev).await?;
        }
        None => wtx.commit().await?,
    }
    // Cards and case pages carry the place's names: build them again.
    state.clear_caches();
    Ok(Json(after))
}

/// Reads a sheet's rows from an import request.
fn sheet_rows(req: &OrgImport, lang: Lang) -> AppResult<Vec<Vec<String>>> {
    let unreadable = |zh: &str, en: &str| {
        field(
            "data",
            Reason::Other {
                zh: zh.into(),
                en: en.into(),
            },
            lang,
        )
    };
    match req.format {
        SheetFormat::Csv => Ok(parse_csv(&req.data)),
        SheetFormat::Xlsx => {
            use calamine::Reader;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(req.data.trim())
                .map_err(|_| unreadable("文件内容不是 base64。", "The file is not base64."))?;
            let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| {
                unreadable(
                    "无法读取这个 XLSX 文件:请用 Excel 或 WPS 另存为 .xlsx 后再试。",
                    "This XLSX file cannot be read: save it as .xlsx from Excel or WPS and try again.",
                )
            })?;
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| unreadable("工作簿里没有工作表。", "The workbook has no sheet."))?
                .map_err(|_| {
                    unreadable("第一个工作表无法读取。", "The first sheet cannot be read.")
                })?;
            // Rows are counted from the sheet's first row, so line numbers match Excel's.
            let skip = range.start().map_or(0, |(row, _)| row);
            let mut rows: Vec<Vec<String>> = (0..skip).map(|_| vec![String::new()]).collect();
            rows.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
            Ok(rows)
        }
    }
}

/// A cell's text: whole numbers without a decimal point (a household count typed as 42).
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        calamine::Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// Checks a sheet of the org tree (CSV, or XLSX in base64) and, when asked and no row has an
/// error, adds what it names that the tree does not have — in one transaction.
#[utoipa::path(
    post,
    path = "/api/admin/org/import",
    tag = "admin",
    request_body = OrgImport,
    responses(
        (status = 200, description = "The preview: each row's path and what it adds, every bad row by line and column; `committed` when written", body = OrgPreview),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "`data` cannot be read (not base64, not an XLSX workbook), or the county is not set up", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn import(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(req): AppJson<OrgImport>,
) -> AppResult<Json<OrgPreview>> {
    admin_only(&me, lang)?;
    let rows = sheet_rows(&req, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let Some(county) = db::org::county_id(conn).await? else {
        return Err(field(
            "data",
            Reason::Other {
                zh: "请先建立县,再导入乡镇。".into(),
                en: "Set up the county first, then import its towns.".into(),
            },
            lang,
        ));
    };
    let units = db::org::all_units(conn).await?;
    let codes: HashMap<i64, String> = db::org::town_codes(conn).await?.into_iter().collect();
    let existing = Existing::of(&units, &codes);
    let (mut preview, adds) = check_sheet(&rows, &existing, lang);
    if !req.commit || !preview.errors.is_empty() || adds.is_empty() {
        return Ok(Json(preview));
    }
    let mut ids: HashMap<Vec<String>, (i64, Option<i64>)> = HashMap::new();
    for unit in adds.iter().filter(|u| u.existing) {
        let Some(id) = existing.id_of(&unit.path) else {
            return Err(AppError::internal("an imported unit to update is missing"));
        };
        if let Some(n) = unit.households {
            db::grid::set_households(conn, id, Some(n)).await?;
        }
        if let Some(code) = &unit.code {
            db::org::set_town_code(conn, id, code).await?;
        }
    }
    for unit in adds.iter().filter(|u| !u.existing) {
        let parent_path = &unit.path[..unit.path.len() - 1];
        let (parent, town) = if parent_path.is_empty() {
            (county, None)
        } else {
            match ids
                .get(parent_path)
                .copied()
                .or_else(|| existing.id_of(parent_path).map(|id| (id, None)))
            {
                Some((id, town)) => (id, town),
                None => return Err(AppError::internal("an imported unit's parent is missing")),
            }
        };
        let town = match (unit.level, town) {
            (OrgLevel::Town, _) => None,
            (_, Some(t)) => Some(t),
            (_, None) => db::org::unit(conn, parent).await?.and_then(|p| p.town_id),
        };
        let name = unit.path.last().cloned().unwrap_or_default();
        let id = db::org::insert_unit(
            conn,
            Some(parent),
            unit.level,
            &name,
            town,
            unit.code.as_deref(),
        )
        .await?;
        if let Some(n) = unit.households {
            db::grid::set_households(conn, id, Some(n)).await?;
        }
        if unit.level == OrgLevel::Town {
            start_center(conn, id, &name).await?;
        }
        let own_town = if unit.level == OrgLevel::Town {
            Some(id)
        } else {
            town
        };
        ids.insert(unit.path.clone(), (id, own_town));
    }
    let summary = format!(
        "{} towns, {} villages, {} areas, {} groups; {} units updated",
        preview.new_towns,
        preview.new_villages,
        preview.new_areas,
        preview.new_groups,
        preview.updated
    );
    db::accounts::audit(
        conn,
        me.user.id,
        ("org_imported", &summary),
        ("", &json(&preview.rows)),
        now_ms(),
    )
    .await?;
    wtx.commit().await?;
    state.clear_caches();
    preview.committed = true;
    Ok(Json(preview))
}

/// Every town's departments and service rooms, inactive ones too.
#[utoipa::path(
    get,
    path = "/api/admin/departments",
    tag = "admin",
    responses(
        (status = 200, description = "Every department of every town", body = Vec<AdminDepartment>),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn departments(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
) -> AppResult<Json<Vec<AdminDepartment>>> {
    admin_only(&me, lang)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(db::org::admin_departments(&mut conn).await?))
}

/// Checks a department form: the town, then the fields and the name among the town's.
async fn check_department(
    conn: &mut sqlx::AnyConnection,
    form: &DepartmentForm,
    id: Option<i64>,
    lang: Lang,
) -> AppResult<()> {
    let mut errors = form.check(lang).err().unwrap_or_default();
    let town = db::org::unit(conn, form.town_id).await?;
    if town.as_ref().and_then(|t| t.level().ok()) != Some(OrgLevel::Town) {
        errors.push(FieldError::new("town_id", Reason::NoSuchItem, lang));
    } else if errors.iter().all(|e| e.field != "name")
        && db::org::department_named(conn, form.town_id, form.name.trim(), id).await?
    {
        errors.push(FieldError::new("name", Reason::Duplicate, lang));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::fields(errors))
    }
}

/// Adds a department or service room to a town.
#[utoipa::path(
    post,
    path = "/api/admin/departments",
    tag = "admin",
    request_body = DepartmentForm,
    responses(
        (status = 201, description = "The department as stored", body = AdminDepartment),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`town_id`, `name` blank, too long or the town's already, `response_days` 1 to 30)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn add_department(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppJson(form): AppJson<DepartmentForm>,
) -> AppResult<(StatusCode, Json<AdminDepartment>)> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    check_department(conn, &form, None, lang).await?;
    let name = form.name.trim();
    let id =
        db::org::insert_department(conn, form.town_id, name, form.kind, form.response_days).await?;
    let stored = AdminDepartment {
        id,
        town_id: form.town_id,
        name: name.to_owned(),
        kind: form.kind,
        response_days: form.response_days,
        active: true,
    };
    db::accounts::audit(
        conn,
        me.user.id,
        ("department_added", name),
        ("", &json(&stored)),
        now_ms(),
    )
    .await?;
    let rev = db::cases::bump_town(conn, form.town_id).await?;
    state.commit_town_change(wtx, form.town_id, rev).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Changes a department: its name, kind, response time, or deactivates it (cases it handled
/// keep it; it is no longer offered for routing).
#[utoipa::path(
    put,
    path = "/api/admin/departments/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The department's id")),
    request_body = DepartmentForm,
    responses(
        (status = 200, description = "The department as it now is", body = AdminDepartment),
        (status = 400, description = "The body is not JSON, or not `application/json`", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the administrator, or the request came from another site", body = ApiError),
        (status = 404, description = "No such department", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "Fields refused (`town_id` cannot change, `name`, `response_days`)", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn change_department(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(form): AppJson<DepartmentForm>,
) -> AppResult<Json<AdminDepartment>> {
    admin_only(&me, lang)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let before = db::org::admin_department(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if before.town_id != form.town_id {
        return Err(field("town_id", Reason::NotAllowedHere, lang));
    }
    check_department(conn, &form, Some(id), lang).await?;
    let after = AdminDepartment {
        id,
        town_id: before.town_id,
        name: form.name.trim().to_owned(),
        kind: form.kind,
        response_days: form.response_days,
        active: form.active,
    };
    db::org::change_department(conn, &after).await?;
    db::accounts::audit(
        conn,
        me.user.id,
        ("department_changed", &before.name),
        (&json(&before), &json(&after)),
        now_ms(),
    )
    .await?;
    let rev = db::cases::bump_town(conn, before.town_id).await?;
    state.commit_town_change(wtx, before.town_id, rev).await?;
    state.clear_caches();
    Ok(Json(after))
}

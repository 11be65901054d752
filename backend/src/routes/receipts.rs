//! The intake receipt's facts and its QR code: `GET /api/cases/{id}/receipt` names the town's
//! center, the expected date and how the resident looks the matter up; `GET
//! /api/cases/{id}/qr.svg` is the QR code of the look-up page with the code filled in (the
//! digits are still asked). Both are for staff who may see the case; the query code (for a
//! matter whose applicants gave no phone) only for those who see its parties.

use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use qrcode::QrCode;
use qrcode::render::svg;
use shared::ApiError;
use shared::api::{CaseReceipt, Center};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, AppResult, IdPath};
use crate::routes::cases::visible_case;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/receipt", get(receipt))
        .route("/cases/{id}/qr.svg", get(qr))
}

/// The look-up page for `code`, on the public address (`CONCORD_PUBLIC_URL`), else on the
/// host the request came to.
pub(crate) fn lookup_url(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
    format!("{}/status?code={code}", site_url(state, headers))
}

/// The address residents and other software reach this site at: `CONCORD_PUBLIC_URL`, or the
/// request's own host.
pub(crate) fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    state.config.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or("localhost");
        let scheme = if state.config.cookie_secure {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    })
}

/// The QR code of `url` as an SVG document (at least 160 px, with its quiet zone).
pub(crate) fn qr_svg(url: &str) -> AppResult<String> {
    let code = QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build())
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/receipt",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "What the receipt prints: the center, the expected date, the look-up address and, with no applicant phone, the query code", body = CaseReceipt),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn receipt(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> AppResult<axum::Json<CaseReceipt>> {
    let (cached, masked, _) = visible_case(&state, &me.actor, id).await?;
    let row = &cached.row;
    let mut conn = state.db.pool.acquire().await?;
    let center = db::org::center(&mut conn, row.town_id)
        .await?
        .map(|c| Center {
            name: c.name,
            address: c.address,
            phone: c.phone,
        });
    let query_code = if masked {
        None
    } else {
        db::cases::query_code(&mut conn, id).await?
    };
    let stage = row.stage()?;
    let due_on = (stage.is_open() && row.suspended_on.is_none())
        .then(|| row.due_on())
        .transpose()?;
    Ok(axum::Json(CaseReceipt {
        code: row.code.clone(),
        center,
        due_on,
        lookup_url: lookup_url(&state, &headers, &row.code),
        query_code,
    }))
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/qr.svg",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The QR code (SVG) of the look-up page with the case code filled in", content_type = "image/svg+xml", body = String),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn qr(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (cached, _, _) = visible_case(&state, &me.actor, id).await?;
    let url = lookup_url(&state, &headers, &cached.row.code);
    let image = qr_svg(&url)?;
    Ok((
        [(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))],
        image,
    )
        .into_response())
}

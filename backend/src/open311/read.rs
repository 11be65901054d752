//! Reading requests: one by id, the filtered list (masked as the public look-up), and tokens.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde::Serialize;
use shared::Lang;
use shared::model::{Category, OrgLevel};
use utoipa::ToSchema;

use crate::db;
use crate::db::open311::RequestQuery;
use crate::error::{AppError, RequestLang};
use crate::routes::public::public_status;
use crate::state::AppState;

use super::answer::{Answer, Open311Error, Refusal, answer};
use super::services::{no_service, unknown_format};
use super::{Format, LIST_MAX, Params, SPAN_DAYS};

/// A service request as the public may see it (masked like the public look-up).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: Option<String>,
    /// Never given: the resident's words stay with the center.
    pub description: Option<String>,
    /// The department (or the center's mediation room) handling it.
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: Option<String>,
    pub updated_datetime: Option<String>,
    /// The legal deadline, with any extension (end of that day); none while suspended or once
    /// closed.
    pub expected_datetime: Option<String>,
    /// The village and town (never finer).
    pub address: Option<String>,
    pub address_id: Option<i64>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// A moment in the centers' time zone, in the W3C format with its offset.
pub(super) fn w3(ms: i64, tz: FixedOffset) -> String {
    db::from_millis(ms)
        .with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The end of `day` in the centers' time zone.
pub(super) fn end_of(day: NaiveDate, tz: FixedOffset) -> Option<String> {
    let end = NaiveTime::from_hms_opt(23, 59, 59)?;
    let at: DateTime<FixedOffset> = tz.from_local_datetime(&day.and_time(end)).single()?;
    Some(at.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// A request found, with its case and when that last changed (ms).
pub(super) struct Found {
    request_id: String,
    case_id: i64,
    updated_ms: i64,
}

/// Every town's name, by id (for the addresses of a list, read once).
pub(super) async fn town_names(state: &AppState) -> Result<HashMap<i64, String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(db::org::all_units(&mut conn)
        .await?
        .into_iter()
        .filter(|u| u.level == OrgLevel::Town)
        .map(|u| (u.id, u.name))
        .collect())
}

/// The public view of the case behind a request; `None` for a sensitive matter when `listing`
/// (lists leave them out).
pub(super) async fn view_of(
    state: &AppState,
    found: &Found,
    towns: &HashMap<i64, String>,
    lang: Lang,
    listing: bool,
) -> Result<Option<ServiceRequest>, AppError> {
    let Found {
        request_id,
        case_id,
        updated_ms,
    } = found;
    let (case_id, updated_ms) = (*case_id, *updated_ms);
    let Some(cached) = state.case(case_id).await? else {
        return Ok(None);
    };
    let tz = state.config.timezone();
    let today = state.config.today();
    let status = public_status(&cached, cached.row.code.clone(), lang, today, tz)?;
    if status.restricted && listing {
        return Ok(None);
    }
    let row = &cached.row;
    let open = !matches!(status.progress, shared::api::PublicProgress::Closed);
    let state_word = if open { "open" } else { "closed" };
    if status.restricted {
        return Ok(Some(ServiceRequest {
            service_request_id: request_id.to_owned(),
            status: state_word.to_owned(),
            status_notes: Some(status.progress.label(lang).to_owned()),
            service_name: None,
            service_code: None,
            description: None,
            agency_responsible: None,
            service_notice: None,
            requested_datetime: Some(w3(row.registered_at, tz)),
            updated_datetime: None,
            expected_datetime: None,
            address: None,
            address_id: None,
            zipcode: None,
            lat: None,
            long: None,
            media_url: None,
        }));
    }
    let category: Category = row
        .category
        .parse()
        .map_err(|_| AppError::internal("stored category"))?;
    let notes = status
        .notes
        .last()
        .map(|n| n.text.clone())
        .or_else(|| status.stage.map(|s| s.label(lang).to_owned()));
    let updated = match row.closed_at {
        Some(closed) if !open => closed,
        _ => updated_ms.max(row.registered_at),
    };
    let address = match towns.get(&row.town_id) {
        Some(town) => format!("{},{town}", row.village_name),
        None => row.village_name.clone(),
    };
    Ok(Some(ServiceRequest {
        service_request_id: request_id.to_owned(),
        status: state_word.to_owned(),
        status_notes: notes,
        service_name: Some(category.label(lang).to_owned()),
        service_code: Some(category.as_str().to_owned()),
        description: None,
        agency_responsible: status.handling_unit.clone(),
        service_notice: None,
        requested_datetime: Some(w3(row.registered_at, tz)),
        updated_datetime: Some(w3(updated, tz)),
        expected_datetime: status.due_on.and_then(|d| end_of(d, tz)),
        address: Some(address),
        address_id: Some(row.village_id),
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
    }))
}

#[utoipa::path(
    get,
    path = "/open311/v2/requests/{service_request_id}.{format}",
    tag = "open311",
    params(
        ("service_request_id" = String, Path, description = "The id a POST answered with"),
        ("format" = Format, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Checked only when the server is configured with one"),
    ),
    responses(
        (status = 200, description = "The request as the public may see it (a list of one)",
            content((Vec<ServiceRequest> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such request, or another jurisdiction_id", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    RequestLang(lang): RequestLang,
) -> Answer {
    let (id, format) = Format::split(&file).ok_or_else(|| unknown_format(lang))?;
    Params::of_query(q.as_deref()).check_jurisdiction(&state, lang, format)?;
    let found = async {
        let mut conn = state.db.pool.acquire().await?;
        let case = db::open311::case_of_request(&mut conn, id).await?;
        drop(conn);
        match case {
            Some((case_id, updated_ms)) => {
                let found = Found {
                    request_id: id.to_owned(),
                    case_id,
                    updated_ms,
                };
                view_of(&state, &found, &town_names(&state).await?, lang, false).await
            }
            None => Ok(None),
        }
    }
    .await
    .map_err(|e| Refusal::of(e, format))?;
    let Some(view) = found else {
        return Err(Refusal::missing(format, no_request(id, lang)));
    };
    Ok(answer(StatusCode::OK, format, "service_requests", &[view]))
}

pub(super) fn no_request(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("service_request_id: 没有编号为“{id}”的诉求。"),
        Lang::En => format!("service_request_id: no request `{id}`."),
    }
}

#[utoipa::path(
    get,
    path = "/open311/v2/requests.{format}",
    tag = "open311",
    params(
        ("format" = Format, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Checked only when the server is configured with one"),
        ("service_request_id" = Option<String>, Query, description = "Comma-separated ids; overrides every other filter"),
        ("service_code" = Option<String>, Query, description = "Comma-separated service codes"),
        ("start_date" = Option<String>, Query, description = "W3C date-time with its offset, e.g. 2026-11-01T00:00:00+08:00"),
        ("end_date" = Option<String>, Query, description = "W3C date-time; at most 90 days after start_date"),
        ("status" = Option<String>, Query, description = "Comma-separated: open, closed"),
    ),
    responses(
        (status = 200, description = "The requests found, newest first: the last 90 days by default, at most 1,000; sensitive matters are left out",
            content((Vec<ServiceRequest> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A filter refused: each error names it and why", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "Another jurisdiction_id than the one served", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn list_requests(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    RequestLang(lang): RequestLang,
    format: Format,
) -> Answer {
    let params = Params::of_query(q.as_deref());
    params.check_jurisdiction(&state, lang, format)?;
    let query = read_query(&params, lang).map_err(|errors| Refusal {
        status: StatusCode::BAD_REQUEST,
        format,
        errors,
        retry_after: None,
    })?;
    let found = async {
        let mut conn = state.db.pool.acquire().await?;
        let rows = db::open311::find_requests(&mut conn, &query).await?;
        drop(conn);
        let towns = town_names(&state).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (request_id, case_id, updated_ms) in rows {
            let found = Found {
                request_id,
                case_id,
                updated_ms,
            };
            if let Some(view) = view_of(&state, &found, &towns, lang, true).await? {
                out.push(view);
            }
        }
        Ok::<_, AppError>(out)
    }
    .await
    .map_err(|e| Refusal::of(e, format))?;
    Ok(answer(StatusCode::OK, format, "service_requests", &found))
}

/// The filters of `GET /requests`, or the errors naming each refused one.
pub(super) fn read_query(params: &Params, lang: Lang) -> Result<RequestQuery, Vec<String>> {
    let mut errors = Vec::new();
    let ids: Vec<String> = params
        .list("service_request_id")
        .into_iter()
        .take(LIST_MAX as usize)
        .map(str::to_owned)
        .collect();
    let mut categories = Vec::new();
    for code in params.list("service_code") {
        match Category::parse(code) {
            Some(c) => categories.push(c.as_str().to_owned()),
            None => errors.push(no_service(code, lang)),
        }
    }
    let mut want_open = false;
    let mut want_closed = false;
    for s in params.list("status") {
        match s {
            "open" => want_open = true,
            "closed" => want_closed = true,
            other => errors.push(match lang {
                Lang::Zh => format!("status: “{other}”不是 open 或 closed。"),
                Lang::En => format!("status: `{other}` is neither open nor closed."),
            }),
        }
    }
    let mut date = |field: &str| -> Option<DateTime<Utc>> {
        let raw = params.get(field)?;
        let parsed = parse_w3(raw);
        if parsed.is_none() {
            errors.push(match lang {
                Lang::Zh => format!(
                    "{field}: “{raw}”不是带时区的 W3C 日期时间,例如 2026-11-01T00:00:00+08:00。"
                ),
                Lang::En => format!(
                    "{field}: `{raw}` is not a W3C date-time with its offset, e.g. 2026-11-01T00:00:00Z."
                ),
            });
        }
        parsed
    };
    let start = date("start_date");
    let end = date("end_date");
    let span = chrono::Duration::days(SPAN_DAYS);
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (None, None) => {
            let now = Utc::now();
            (now - span, now)
        }
    };
    if to < from {
        errors.push(
            lang.pick(
                "end_date: 不能早于 start_date。",
                "end_date: may not be before start_date.",
            )
            .to_owned(),
        );
    } else if to - from > span {
        errors.push(
            lang.pick(
                "end_date: 查询跨度不能超过 90 天。",
                "end_date: the range may not span more than 90 days.",
            )
            .to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RequestQuery {
        ids,
        categories,
        open: match (want_open, want_closed) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        },
        from_ms: from.timestamp_millis(),
        to_ms: to.timestamp_millis(),
        limit: LIST_MAX,
    })
}

/// A W3C date-time with its offset (`Z` or `±hh:mm`), seconds optional.
pub(super) fn parse_w3(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Without seconds: 2010-01-01T00:00Z, 2010-01-01T00:00+08:00.
    let (head, tail) = s.split_at_checked(16)?;
    if tail.is_empty() {
        return None;
    }
    DateTime::parse_from_rfc3339(&format!("{head}:00{tail}"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What a token stands for.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenAnswer {
    pub service_request_id: String,
    pub token: String,
}

#[utoipa::path(
    get,
    path = "/open311/v2/tokens/{token}.{format}",
    tag = "open311",
    params(
        ("token" = String, Path, description = "The token a POST answered a batch client with"),
        ("format" = Format, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Checked only when the server is configured with one"),
    ),
    responses(
        (status = 200, description = "The request id the token stands for (registered at once, so always known)",
            content((Vec<TokenAnswer> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such token, or another jurisdiction_id", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn token(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    RequestLang(lang): RequestLang,
) -> Answer {
    let (token, format) = Format::split(&file).ok_or_else(|| unknown_format(lang))?;
    Params::of_query(q.as_deref()).check_jurisdiction(&state, lang, format)?;
    let found = async {
        let mut conn = state.db.pool.acquire().await?;
        Ok::<_, AppError>(db::open311::request_of_token(&mut conn, token).await?)
    }
    .await
    .map_err(|e| Refusal::of(e, format))?;
    let Some(request_id) = found else {
        return Err(Refusal::missing(
            format,
            match lang {
                Lang::Zh => format!("token: 没有令牌“{token}”。"),
                Lang::En => format!("token: no token `{token}`."),
            },
        ));
    };
    let row = TokenAnswer {
        service_request_id: request_id,
        token: token.to_owned(),
    };
    Ok(answer(StatusCode::OK, format, "service_requests", &[row]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_w3c_format_with_an_offset() {
        let t = |s: &str| parse_w3(s).map(|t| t.to_rfc3339());
        assert_eq!(
            t("2010-01-01T00:00:00Z").as_deref(),
            Some("2010-01-01T00:00:00+00:00")
        );
        assert_eq!(
            t("2010-01-01T08:00+08:00").as_deref(),
            Some("2010-01-01T00:00:00+00:00")
        );
        assert_eq!(t("2010-01-01T00:00:00"), None);
        assert_eq!(t("2010-01-01"), None);
        assert_eq!(t("yesterday"), None);
    }

    #[test]
    fn a_query_over_90_days_or_with_an_unknown_filter_is_refused_by_name() {
        let q = |s: &str| read_query(&Params::parse(s.as_bytes()), Lang::En);
        assert!(q("").is_ok());
        let span = q("start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z");
        assert!(span.is_err_and(|e| e.len() == 1 && e[0].starts_with("end_date:")));
        let bad = q("status=pending&service_code=potholes&start_date=soon");
        let errors = bad.err().unwrap_or_default();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("service_code:"));
        assert!(errors[1].starts_with("status:"));
        assert!(errors[2].starts_with("start_date:"));
        let ok =
            q("status=open&service_code=labour,land_forest&start_date=2026-11-01T00:00:00%2B08:00");
        let ok = ok.unwrap_or_default();
        assert_eq!(ok.open, Some(true));
        assert_eq!(ok.categories, vec!["labour", "land_forest"]);
        assert_eq!(ok.to_ms - ok.from_ms, 90 * 86_400_000);
    }
}

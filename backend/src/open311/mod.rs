//! Open311 GeoReport v2 (`../shared/reference/open311-georeport-v2.md`) under `/open311`, so
//! that civic-tech software (a county hotline, a city app) can bring matters in and follow
//! them without a person at a screen.
//!
//! - Discovery: `/open311/discovery.{json,xml}`.
//! - Services are our 15 dispute categories (`service_code` = the category's code). Each has a
//!   definition with two attributes: `kind` (what help is asked for; a dispute if not given)
//!   and `village` (which village or community, by id; `address_id` may carry it instead, or
//!   `address_string` may name it).
//! - `POST /open311/v2/requests.{format}` needs an API key the administrator issued to the
//!   client (`routes::open311`), not revoked. It registers a case with channel "online" in the
//!   village's town, exactly as the public form does, and answers with the request's id — or,
//!   for a client issued in batch mode, a token that `/tokens/{token}` turns into it. Each
//!   client may post `open311_max_per_client` requests per hour (counted before the write).
//!   The client stands for its users' consent to the processing of their data (the terms the
//!   key is issued on).
//! - `GET /requests` and `GET /requests/{id}` show the requests Open311 clients posted (never
//!   cases registered otherwise), by an opaque id that is not the case code (the code, with the
//!   phone's last digits, opens the public look-up; it is told to the client once, in the
//!   POST's `service_notice`). They are masked as the public look-up masks (`public_status`
//!   builds both): no names, phones, free text or address below the village; sensitive
//!   matters (family, minors, psychological service, legal aid, reports against officials)
//!   show only their coarse status and are left out of lists.
//! - Every answer is JSON or XML as the path's extension says; XML is the JSON mapped by the
//!   Spark convention (a list `services` holds `service` elements, …), written by quick-xml.
//!   Errors are the specification's list of `code` and `description`: 404 for what does not
//!   exist, 403 for a missing or bad API key, 400 for anything else the client sent wrong
//!   (each refused field named), 429 over the per-client limit, 500 for our own faults.

pub(crate) mod answer;
pub(crate) mod post;
pub(crate) mod read;
pub(crate) mod services;

use answer::{Refusal, method_not_allowed, not_found};
use post::post_request;
use read::{list_requests, one_request, token};
use services::{definition, discovery, services};

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::get;
use serde::Serialize;
use shared::Lang;
use utoipa::ToSchema;

use crate::auth::token_hash;
use crate::db;
use crate::error::{AppError, RequestLang};
use crate::state::AppState;

/// The largest request body read: a description of 4,000 Chinese characters is 36,000 bytes
/// once percent-encoded, beside the other fields.
pub const BODY_LIMIT: usize = 64 * 1024;

/// When this server's Open311 interface last changed (discovery's `changeset`).
const CHANGESET: &str = "2026-12-03T00:00:00Z";

/// The specification's address, as discovery names it.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// The span `GET /requests` covers at most, and by default (the specification's 90 days).
const SPAN_DAYS: i64 = 90;

/// The most requests one `GET /requests` returns (the specification's 1,000).
const LIST_MAX: i64 = 1000;

/// The answer format, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }

    /// `name.json` or `name.xml` → the name and the format.
    fn split(file: &str) -> Option<(&str, Format)> {
        let (stem, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((stem, format))
    }
}

/// Every Open311 route (paths relative to `/open311`).
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for f in [Format::Json, Format::Xml] {
        let ext = f.ext();
        router = router
            .route(
                &format!("/discovery.{ext}"),
                get(
                    move |state: State<AppState>, headers: HeaderMap, l: RequestLang| {
                        discovery(state, headers, l, f)
                    },
                ),
            )
            .route(
                &format!("/v2/services.{ext}"),
                get(move |state: State<AppState>, q: RawQuery, l: RequestLang| {
                    services(state, q, l, f)
                }),
            )
            .route(
                &format!("/v2/requests.{ext}"),
                get(move |state: State<AppState>, q: RawQuery, l: RequestLang| {
                    list_requests(state, q, l, f)
                })
                .post(
                    move |state: State<AppState>,
                          l: RequestLang,
                          headers: HeaderMap,
                          body: Body| {
                        post_request(state, l, headers, body, f)
                    },
                ),
            );
    }
    router
        .route("/v2/services/{file}", get(definition))
        .route("/v2/requests/{file}", get(one_request))
        .route("/v2/tokens/{file}", get(token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A query string or form body as name–value pairs; an empty value counts as not given (the
/// specification's "optional").
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> Params {
        Params(
            form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        )
    }

    fn of_query(q: Option<&str>) -> Params {
        Params::parse(q.unwrap_or("").as_bytes())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A comma-separated list, from every occurrence of the parameter.
    fn list(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// `jurisdiction_id`, checked against the one served (when one is configured).
    fn check_jurisdiction(
        &self,
        state: &AppState,
        lang: Lang,
        format: Format,
    ) -> Result<(), Refusal> {
        match (
            &state.config.open311_jurisdiction,
            self.get("jurisdiction_id"),
        ) {
            (Some(ours), Some(given)) if !given.eq_ignore_ascii_case(ours) => {
                Err(Refusal::missing(
                    format,
                    match lang {
                        Lang::Zh => {
                            format!("jurisdiction_id: 没有辖区“{given}”;本服务的辖区是“{ours}”。")
                        }
                        Lang::En => format!(
                            "jurisdiction_id: no jurisdiction `{given}` here; this server serves `{ours}`."
                        ),
                    },
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The client an API key belongs to: its id and whether it is answered in batch mode.
async fn client_of(state: &AppState, key: Option<&str>) -> Result<Option<(i64, bool)>, AppError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let mut conn = state.db.pool.acquire().await?;
    Ok(db::open311::client_by_key(&mut conn, &token_hash(key)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_gives_its_format() {
        assert_eq!(Format::split("labour.json"), Some(("labour", Format::Json)));
        assert_eq!(Format::split("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(Format::split("labour.txt"), None);
        assert_eq!(Format::split("labour"), None);
    }
}

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

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;
use shared::api::{NewParty, Open311Submission, RegisterCase, summary_of};
use shared::model::{
    CaseKind, Category, Channel, OrgLevel, OrgUnit, PartyKind, PartySide, RiskLevel,
};
use shared::validate::check_open311_request;
use shared::{ErrorKind, Lang};
use utoipa::ToSchema;

use crate::auth::token_hash;
use crate::db;
use crate::db::open311::{NewRequest, RequestQuery};
use crate::error::{AppError, RequestLang};
use crate::limits::AttemptLimiter;
use crate::routes::cases::register_from_outside;
use crate::routes::public::public_status;
use crate::routes::receipts::{lookup_url, site_url};
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

// ── Answers and errors ───────────────────────────────────────────────────────────────────────

/// One error of the specification's error list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Open311Error {
    /// Our code for the error: the HTTP status.
    pub code: u16,
    /// What went wrong, for the person using the client (in the request's language).
    pub description: String,
}

/// A refused request: its status and the errors, in the format asked for.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    format: Format,
    errors: Vec<String>,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, format: Format, description: impl Into<String>) -> Refusal {
        Refusal {
            status,
            format,
            errors: vec![description.into()],
            retry_after: None,
        }
    }

    fn bad(format: Format, description: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, format, description)
    }

    fn missing(format: Format, description: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::NOT_FOUND, format, description)
    }

    /// A failure of ours or a refusal from the shared machinery, as an Open311 error.
    fn of(e: AppError, format: Format) -> Refusal {
        match e {
            AppError::Internal(e) => {
                tracing::error!(error = %e, "open311 request failed");
                let l = crate::error::lang();
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format,
                    l.pick(
                        "服务器出错,请稍后再试;问题已记入日志。",
                        "The server failed; please try again later. The fault is logged.",
                    ),
                )
            }
            AppError::Api(e) => {
                let status = match e.kind {
                    ErrorKind::NotFound => StatusCode::NOT_FOUND,
                    ErrorKind::Forbidden | ErrorKind::Unauthorized => StatusCode::FORBIDDEN,
                    ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                    ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                    _ => StatusCode::BAD_REQUEST,
                };
                let errors = if e.fields.is_empty() {
                    vec![e.message.clone()]
                } else {
                    e.fields
                        .iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect()
                };
                Refusal {
                    status,
                    format,
                    errors,
                    retry_after: e.retry_after,
                }
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let list: Vec<Open311Error> = self
            .errors
            .into_iter()
            .map(|description| Open311Error { code, description })
            .collect();
        let mut res = answer(self.status, self.format, "errors", &list);
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            res.headers_mut().insert(RETRY_AFTER, v);
        }
        res
    }
}

pub(crate) type Answer = Result<Response, Refusal>;

/// `value` as JSON, or as XML under `root` (lists mapped by the Spark convention).
fn answer<T: Serialize>(status: StatusCode, format: Format, root: &str, value: &T) -> Response {
    let body = match format {
        Format::Json => serde_json::to_vec(value).map_err(|e| e.to_string()),
        Format::Xml => serde_json::to_value(value)
            .map_err(|e| e.to_string())
            .and_then(|v| to_xml(root, v))
            .map(String::into_bytes),
    };
    let content_type = match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    };
    match body {
        Ok(body) => (
            status,
            [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an open311 answer could not be written");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The element each list's items are written as, by the list's name.
fn item_name(list: &str) -> Option<&'static str> {
    Some(match list {
        "services" => "service",
        "attributes" => "attribute",
        "values" => "value",
        "service_requests" => "request",
        "errors" => "error",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => return None,
    })
}

/// Wraps each list in an object holding its items under their element name, so that the XML
/// writer gives `<services><service>…</service>…</services>`.
fn spark(name: &str, value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().map(|v| spark("", v)).collect();
            match item_name(name) {
                Some(item) => {
                    let mut map = serde_json::Map::new();
                    map.insert(item.to_owned(), Value::Array(items));
                    Value::Object(map)
                }
                None => Value::Array(items),
            }
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = spark(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The XML document of `value` under the element `root`, with the declaration the
/// specification asks for. Missing values are empty elements.
fn to_xml(root: &str, value: Value) -> Result<String, String> {
    let value = spark(root, value);
    let body = quick_xml::se::to_string_with_root(root, &value).map_err(|e| e.to_string())?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}"
    ))
}

/// An unknown path under `/open311` (or an extension other than `.json` and `.xml`).
async fn not_found(RequestLang(lang): RequestLang) -> Refusal {
    Refusal::missing(
        Format::Xml,
        lang.pick(
            "没有这个 Open311 资源;路径以 .json 或 .xml 结尾,见 /open311/discovery.xml。",
            "No such Open311 resource; paths end in .json or .xml (see /open311/discovery.xml).",
        ),
    )
}

async fn method_not_allowed(RequestLang(lang): RequestLang) -> Refusal {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Format::Xml,
        lang.pick(
            "该资源不支持这种请求方法。",
            "This resource does not take this method.",
        ),
    )
}

// ── Parameters ───────────────────────────────────────────────────────────────────────────────

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

// ── Discovery and services ───────────────────────────────────────────────────────────────────

/// Service discovery: where the GeoReport v2 endpoint is, and in which formats.
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint in discovery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub formats: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/open311/discovery.{format}",
    tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`")),
    responses(
        (status = 200, description = "Where the GeoReport v2 endpoint is and what it speaks",
            content((Discovery = "application/json"), (String = "text/xml"))),
        (status = 404, description = "A format other than json or xml", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn discovery(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
    format: Format,
) -> Answer {
    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| Refusal::of(e.into(), format))?;
    let centers = db::org::centers(&mut conn)
        .await
        .map_err(|e| Refusal::of(e.into(), format))?;
    let contact = centers
        .iter()
        .map(|(_, c)| format!("{} {}", c.name, c.phone))
        .collect::<Vec<_>>()
        .join("; ");
    let base = site_url(&state, &headers);
    let doc = Discovery {
        changeset: CHANGESET.to_owned(),
        contact,
        key_service: lang
            .pick(
                "API 密钥由县综治中心的系统管理员为每个对接系统单独签发,可随时吊销。",
                "API keys are issued per client by the county center's administrator, and can be revoked.",
            )
            .to_owned(),
        endpoints: vec![Endpoint {
            specification: SPECIFICATION.to_owned(),
            url: format!("{base}/open311/v2"),
            changeset: CHANGESET.to_owned(),
            kind: "production".to_owned(),
            formats: vec!["text/xml".to_owned(), "application/json".to_owned()],
        }],
    };
    Ok(answer(StatusCode::OK, format, "discovery", &doc))
}

/// A service request type: one of our dispute categories.
#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Always `true`: every service has attributes (the kind of help, the village).
    pub metadata: bool,
    /// `realtime` (the request's id comes at once), or `batch` for a client issued in batch
    /// mode (given as `api_key`).
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

#[utoipa::path(
    get,
    path = "/open311/v2/services.{format}",
    tag = "open311",
    params(
        ("format" = Format, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Checked only when the server is configured with one"),
        ("api_key" = Option<String>, Query, description = "Optional: a batch client sees `type` batch"),
    ),
    responses(
        (status = 200, description = "The service list: our dispute categories",
            content((Vec<Service> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "Another jurisdiction_id than the one served", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn services(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    RequestLang(lang): RequestLang,
    format: Format,
) -> Answer {
    let params = Params::of_query(q.as_deref());
    params.check_jurisdiction(&state, lang, format)?;
    let batch = client_of(&state, params.get("api_key"))
        .await
        .map_err(|e| Refusal::of(e, format))?
        .is_some_and(|(_, batch)| batch);
    let kind = if batch { "batch" } else { "realtime" };
    let list: Vec<Service> = Category::ALL
        .iter()
        .map(|c| Service {
            service_code: c.as_str().to_owned(),
            service_name: c.label(lang).to_owned(),
            description: c.plain(lang).to_owned(),
            metadata: true,
            kind: kind.to_owned(),
            keywords: format!("{},{}", c.label(Lang::Zh), c.label(Lang::En)),
            group: lang
                .pick("矛盾纠纷与诉求", "Disputes and demands")
                .to_owned(),
        })
        .collect();
    Ok(answer(StatusCode::OK, format, "services", &list))
}

/// A service's definition: the attributes a request of it takes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// One attribute of a service definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attribute {
    pub variable: bool,
    pub code: String,
    pub datatype: String,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

/// One value of a list attribute.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// The villages (and communities) requests can name, with their towns.
async fn villages(state: &AppState) -> Result<Vec<(OrgUnit, String)>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let units = db::org::all_units(&mut conn).await?;
    Ok(units
        .iter()
        .filter(|u| u.level == OrgLevel::Village)
        .map(|v| {
            let town = units
                .iter()
                .find(|t| Some(t.id) == v.parent_id)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            (v.clone(), town)
        })
        .collect())
}

#[utoipa::path(
    get,
    path = "/open311/v2/services/{service_code}.{format}",
    tag = "open311",
    params(
        ("service_code" = String, Path, description = "A category's code, from the service list"),
        ("format" = Format, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Checked only when the server is configured with one"),
    ),
    responses(
        (status = 200, description = "The attributes a request of the service takes",
            content((ServiceDefinition = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such service, or another jurisdiction_id", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    RequestLang(lang): RequestLang,
) -> Answer {
    let (code, format) = Format::split(&file).ok_or_else(|| unknown_format(lang))?;
    let params = Params::of_query(q.as_deref());
    params.check_jurisdiction(&state, lang, format)?;
    let Some(category) = Category::parse(code) else {
        return Err(Refusal::missing(format, no_service(code, lang)));
    };
    let villages = villages(&state).await.map_err(|e| Refusal::of(e, format))?;
    let doc = ServiceDefinition {
        service_code: category.as_str().to_owned(),
        attributes: vec![
            Attribute {
                variable: true,
                code: "kind".to_owned(),
                datatype: "singlevaluelist".to_owned(),
                required: false,
                datatype_description: Some(
                    lang.pick(
                        "不填时按矛盾纠纷调解受理。",
                        "When not given, the matter is taken as a dispute for mediation.",
                    )
                    .to_owned(),
                ),
                order: 1,
                description: lang.pick("需要什么帮助", "What help is asked for").to_owned(),
                values: CaseKind::ALL
                    .iter()
                    .map(|k| AttributeValue {
                        key: k.as_str().to_owned(),
                        name: k.plain(lang).to_owned(),
                    })
                    .collect(),
            },
            Attribute {
                variable: true,
                code: "village".to_owned(),
                datatype: "singlevaluelist".to_owned(),
                required: true,
                datatype_description: Some(
                    lang.pick(
                        "也可以用 address_id 给出村(社区)的编号,或在 address_string 中写明村(社区)名。",
                        "The village's id may come as address_id instead, or its name in address_string.",
                    )
                    .to_owned(),
                ),
                order: 2,
                description: lang
                    .pick(
                        "事情发生在哪个村(社区)",
                        "Which village or community the matter is in",
                    )
                    .to_owned(),
                values: villages
                    .iter()
                    .map(|(v, town)| AttributeValue {
                        key: v.id.to_string(),
                        name: format!("{town} {}", v.name),
                    })
                    .collect(),
            },
        ],
    };
    Ok(answer(StatusCode::OK, format, "service_definition", &doc))
}

fn unknown_format(lang: Lang) -> Refusal {
    Refusal::missing(
        Format::Xml,
        lang.pick("格式只能是 .json 或 .xml。", "The format is .json or .xml."),
    )
}

fn no_service(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("service_code: 没有服务“{code}”;可用的服务见 services.xml。"),
        Lang::En => {
            format!("service_code: no service `{code}`; see services.xml for those offered.")
        }
    }
}

// ── Posting a request ────────────────────────────────────────────────────────────────────────

/// The answer to a posted request: its id (realtime) or a token (batch), never both.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// What happens next: the case code, the center, the expected date and how the resident
    /// looks the matter up.
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// The form of `POST /requests` (the specification's names).
#[derive(Debug, serde::Deserialize, ToSchema)]
#[expect(
    dead_code,
    reason = "read from the form by name; here for the OpenAPI document"
)]
struct PostForm {
    api_key: String,
    service_code: String,
    jurisdiction_id: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    address_string: Option<String>,
    /// The village's id (as `attribute[village]`).
    address_id: Option<String>,
    email: Option<String>,
    device_id: Option<String>,
    account_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    description: Option<String>,
    media_url: Option<String>,
    /// What help is asked for (`dispute` when not given): see the service definition.
    #[serde(rename = "attribute[kind]")]
    attribute_kind: Option<String>,
    /// The village's id: see the service definition.
    #[serde(rename = "attribute[village]")]
    attribute_village: Option<String>,
}

#[utoipa::path(
    post,
    path = "/open311/v2/requests.{format}",
    tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`")),
    request_body(content = PostForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Registered as a case: its request id, or a token for a batch client",
            content((Vec<PostedRequest> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Refused: each error names the field and the reason", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "No API key, or one not issued or revoked", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such service, or another jurisdiction_id", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 429, description = "The client posted its hourly number of requests: see `Retry-After`", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
        (status = 500, description = "Failed on the server", content((Vec<Open311Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub(crate) async fn post_request(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    headers: HeaderMap,
    body: Body,
    format: Format,
) -> Answer {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !form_type {
        return Err(Refusal::bad(
            format,
            lang.pick(
                "请求须以 application/x-www-form-urlencoded 表单发送。",
                "Send the request as an application/x-www-form-urlencoded form.",
            ),
        ));
    }
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Err(Refusal::bad(
            format,
            lang.pick(
                "请求超过 64 KiB,未予受理。",
                "The request is larger than 64 KiB and was not taken.",
            ),
        ));
    };
    let params = Params::parse(&bytes);
    params.check_jurisdiction(&state, lang, format)?;
    let client = client_of(&state, params.get("api_key"))
        .await
        .map_err(|e| Refusal::of(e, format))?;
    let Some((client_id, batch)) = client else {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format,
            lang.pick(
                "api_key 无效(未签发或已吊销),不能提交诉求。",
                "Invalid api_key received (not issued, or revoked): the request cannot be created.",
            ),
        ));
    };
    let Some(code) = params.get("service_code") else {
        return Err(Refusal::bad(
            format,
            lang.pick("service_code: 必填。", "service_code: required."),
        ));
    };
    let Some(category) = Category::parse(code) else {
        return Err(Refusal::missing(format, no_service(code, lang)));
    };
    let villages = villages(&state).await.map_err(|e| Refusal::of(e, format))?;
    let (submission, mut errors) = read_submission(&params, &villages, lang);
    if let Err(fields) = check_open311_request(&submission, lang) {
        let more: Vec<String> = fields
            .into_iter()
            .filter(|f| {
                !errors
                    .iter()
                    .any(|e| e.starts_with(&format!("{}:", f.field)))
            })
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect();
        errors.extend(more);
    }
    if !errors.is_empty() {
        return Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            format,
            errors,
            retry_after: None,
        });
    }
    let (Some(village_id), kind) = (submission.village_id, submission.kind) else {
        return Err(Refusal::of(
            AppError::internal("an unchecked Open311 request"),
            format,
        ));
    };
    let Some(town_id) = villages
        .iter()
        .find(|(v, _)| v.id == village_id)
        .and_then(|(v, _)| v.parent_id)
    else {
        return Err(Refusal::of(
            AppError::internal("a village without a town"),
            format,
        ));
    };
    // Counted before the case is written, so requests posted together cannot pass the limit.
    let attempt = AttemptLimiter::begin(&[(&state.limits.open311_client, client_id.to_string())])
        .map_err(|wait| {
            let seconds = wait.as_secs() + 1;
            let mut r = Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                format,
                match lang {
                    Lang::Zh => format!("该客户端本小时提交的诉求已达上限,请 {seconds} 秒后再试。"),
                    Lang::En => format!(
                        "This client has posted its hourly number of requests; try again in {seconds} s."
                    ),
                },
            );
            r.retry_after = Some(seconds);
            r
        })?;
    let case = RegisterCase {
        kind: kind.unwrap_or(CaseKind::Dispute),
        category,
        channel: Channel::Online,
        // The center judges the risk when it reviews the request.
        risk: RiskLevel::Low,
        risk_flags: Vec::new(),
        summary: summary_of(&submission.description),
        facts: facts_of(&params, &submission.description),
        request: String::new(),
        village_id,
        area_id: None,
        group_id: None,
        parties: vec![NewParty {
            side: PartySide::Applicant,
            kind: PartyKind::Person,
            name: submission.name.trim().to_owned(),
            phone: Some(submission.phone.clone()),
            ..NewParty::default()
        }],
        closed_on_the_spot: None,
    };
    let posted = register(&state, &headers, client_id, town_id, &case, lang).await;
    let (request_id, token, notice) = match posted {
        Ok(done) => {
            drop(attempt);
            done
        }
        Err(e) => {
            attempt.release();
            return Err(Refusal::of(e, format));
        }
    };
    let answer_row = if batch {
        PostedRequest {
            service_request_id: None,
            token: Some(token),
            service_notice: notice,
            account_id: None,
        }
    } else {
        PostedRequest {
            service_request_id: Some(request_id),
            token: None,
            service_notice: notice,
            account_id: None,
        }
    };
    Ok(answer(
        StatusCode::OK,
        format,
        "service_requests",
        &[answer_row],
    ))
}

/// Reads the request's own fields from the form: what help, which village, what happened, who
/// and their phone. Returns them with the errors only the form can show (a value not in the
/// definition's lists, a location that names no village, a half-given position).
fn read_submission(
    params: &Params,
    villages: &[(OrgUnit, String)],
    lang: Lang,
) -> (Open311Submission, Vec<String>) {
    let mut errors = Vec::new();
    let kind = params.get("attribute[kind]").and_then(|k| {
        let kind = CaseKind::parse(k);
        if kind.is_none() {
            let allowed: Vec<&str> = CaseKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(match lang {
                Lang::Zh => format!(
                    "attribute[kind]: “{k}”不是可选的值;可选:{}。",
                    allowed.join("、")
                ),
                Lang::En => format!(
                    "attribute[kind]: `{k}` is not one of {}.",
                    allowed.join(", ")
                ),
            });
        }
        kind
    });
    let by_id = |field: &str, errors: &mut Vec<String>| -> Option<i64> {
        let raw = params.get(field)?;
        let found = raw
            .parse::<i64>()
            .ok()
            .filter(|id| villages.iter().any(|(v, _)| v.id == *id));
        if found.is_none() {
            errors.push(match lang {
                Lang::Zh => format!("{field}: 没有编号为“{raw}”的村(社区);可选的见服务定义。"),
                Lang::En => format!(
                    "{field}: no village or community has the id `{raw}`; see the service definition."
                ),
            });
        }
        found
    };
    let mut village_id = by_id("attribute[village]", &mut errors);
    if village_id.is_none() && params.get("attribute[village]").is_none() {
        village_id = by_id("address_id", &mut errors);
    }
    if village_id.is_none()
        && params.get("attribute[village]").is_none()
        && params.get("address_id").is_none()
        && let Some(address) = params.get("address_string")
    {
        let named: Vec<i64> = villages
            .iter()
            .filter(|(v, _)| address.contains(&v.name))
            .map(|(v, _)| v.id)
            .collect();
        if let [only] = named[..] {
            village_id = Some(only);
        }
    }
    match (params.get("lat"), params.get("long")) {
        (Some(lat), Some(long)) => {
            let ok = |s: &str, max: f64| {
                s.parse::<f64>()
                    .is_ok_and(|x| x.is_finite() && x.abs() <= max)
            };
            if !ok(lat, 90.0) {
                errors.push(
                    lang.pick(
                        "lat: 须为 -90 到 90 之间的纬度。",
                        "lat: a latitude between -90 and 90.",
                    )
                    .to_owned(),
                );
            }
            if !ok(long, 180.0) {
                errors.push(
                    lang.pick(
                        "long: 须为 -180 到 180 之间的经度。",
                        "long: a longitude between -180 and 180.",
                    )
                    .to_owned(),
                );
            }
        }
        (Some(_), None) => errors.push(
            lang.pick(
                "long: lat 和 long 须一起给出。",
                "long: lat and long go together.",
            )
            .to_owned(),
        ),
        (None, Some(_)) => errors.push(
            lang.pick(
                "lat: lat 和 long 须一起给出。",
                "lat: lat and long go together.",
            )
            .to_owned(),
        ),
        (None, None) => {}
    }
    // Family name first, as Chinese writes it; a Latin name reads given name first.
    let first = params.get("first_name").unwrap_or("");
    let last = params.get("last_name").unwrap_or("");
    let name = if first.is_ascii() && last.is_ascii() {
        format!("{first} {last}").trim().to_owned()
    } else {
        format!("{last}{first}")
    };
    let phone: String = params
        .get("phone")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let submission = Open311Submission {
        kind,
        village_id,
        description: params.get("description").unwrap_or("").to_owned(),
        name,
        phone,
    };
    (submission, errors)
}

/// The case's facts: the description, then what the client gave of the place and the media
/// (the staff see it; the public answers never show it).
fn facts_of(params: &Params, description: &str) -> String {
    let mut facts = description.trim().to_owned();
    let extra = [
        ("address_string", "地址"),
        ("email", "电子邮箱"),
        ("media_url", "图片或视频"),
    ];
    for (field, label) in extra {
        if let Some(v) = params.get(field) {
            facts.push_str(&format!(
                "\n{label}:{}",
                v.chars().take(300).collect::<String>()
            ));
        }
    }
    if let (Some(lat), Some(long)) = (params.get("lat"), params.get("long")) {
        facts.push_str(&format!("\n位置(WGS84):{lat}, {long}"));
    }
    facts
}

/// Registers the request as a case and records it as the client's; returns its request id,
/// token and the notice for the client.
async fn register(
    state: &AppState,
    headers: &HeaderMap,
    client_id: i64,
    town_id: i64,
    case: &RegisterCase,
    lang: Lang,
) -> Result<(String, String, String), AppError> {
    let client_name = {
        let mut conn = state.db.pool.acquire().await?;
        db::open311::client(&mut conn, client_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default()
    };
    let actor = format!("{client_name}(Open311)");
    let mut done = register_from_outside(state, town_id, case, &actor, lang).await?;
    let request_id = random_id(12);
    let token = random_id(20);
    let conn = &mut *done.wtx.tx;
    db::open311::insert_request(
        conn,
        &NewRequest {
            request_id: &request_id,
            token: &token,
            case_id: done.case_id,
            client_id,
        },
        crate::routes::now_ms(),
    )
    .await?;
    let center = db::org::center(conn, town_id).await?;
    let code = done.code.clone();
    let due = done.due_on;
    done.commit(state).await?;
    let url = lookup_url(state, headers, &code);
    let center = center
        .map(|c| format!("{}({},{})", c.name, c.address, c.phone))
        .unwrap_or_else(|| lang.pick("乡镇综治中心", "the town's center").to_owned());
    let notice = match lang {
        Lang::Zh => format!(
            "已登记为案件 {code},由{center}办理,预计 {due} 前办结。请告知群众:凭案件编号和登记电话的后四位,可在 {url} 查询进度。"
        ),
        Lang::En => format!(
            "Registered as case {code}, handled by {center}, expected by {due}. Tell the resident: with the case code and the last four digits of the phone given, they can look it up at {url}."
        ),
    };
    Ok((request_id, token, notice))
}

/// A random identifier of `len` characters (lower-case letters and digits, no look-alikes).
fn random_id(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

// ── Reading requests ─────────────────────────────────────────────────────────────────────────

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
fn w3(ms: i64, tz: FixedOffset) -> String {
    db::from_millis(ms)
        .with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The end of `day` in the centers' time zone.
fn end_of(day: NaiveDate, tz: FixedOffset) -> Option<String> {
    let end = NaiveTime::from_hms_opt(23, 59, 59)?;
    let at: DateTime<FixedOffset> = tz.from_local_datetime(&day.and_time(end)).single()?;
    Some(at.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// The public view of the case behind a request; `None` for a sensitive matter when `listing`
/// (lists leave them out).
async fn view_of(
    state: &AppState,
    request_id: &str,
    case_id: i64,
    lang: Lang,
    listing: bool,
) -> Result<Option<ServiceRequest>, AppError> {
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
    let updated = {
        let mut conn = state.db.pool.acquire().await?;
        db::open311::updated_at(&mut conn, case_id).await?
    };
    let updated = match row.closed_at {
        Some(closed) if !open => closed,
        _ => updated.max(row.registered_at),
    };
    let town = {
        let mut conn = state.db.pool.acquire().await?;
        db::org::unit(&mut conn, row.town_id).await?.map(|u| u.name)
    };
    let address = match town {
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
        let case_id = db::open311::case_of_request(&mut conn, id).await?;
        drop(conn);
        match case_id {
            Some(case_id) => view_of(&state, id, case_id, lang, false).await,
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

fn no_request(id: &str, lang: Lang) -> String {
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
        let mut out = Vec::with_capacity(rows.len());
        for (request_id, case_id) in rows {
            if let Some(view) = view_of(&state, &request_id, case_id, lang, true).await? {
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
fn read_query(params: &Params, lang: Lang) -> Result<RequestQuery, Vec<String>> {
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
fn parse_w3(s: &str) -> Option<DateTime<Utc>> {
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
    fn lists_are_written_as_the_spark_convention_says() {
        let list = vec![Open311Error {
            code: 403,
            description: "Invalid api_key received -- can't proceed with create_request."
                .to_owned(),
        }];
        let xml =
            to_xml("errors", serde_json::to_value(&list).unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>403</code>\
             <description>Invalid api_key received -- can't proceed with create_request.\
             </description></error></errors>"
        );
        let def = ServiceDefinition {
            service_code: "DMV66".to_owned(),
            attributes: vec![Attribute {
                variable: true,
                code: "WHISHETN".to_owned(),
                datatype: "singlevaluelist".to_owned(),
                required: true,
                datatype_description: None,
                order: 1,
                description: "What is the ticket/tag/DL number?".to_owned(),
                values: vec![
                    AttributeValue {
                        key: "123".to_owned(),
                        name: "Ford".to_owned(),
                    },
                    AttributeValue {
                        key: "124".to_owned(),
                        name: "Chrysler & Co".to_owned(),
                    },
                ],
            }],
        };
        let xml = to_xml(
            "service_definition",
            serde_json::to_value(&def).unwrap_or_default(),
        )
        .unwrap_or_default();
        assert!(xml.contains("<attributes><attribute>"), "{xml}");
        assert!(xml.contains("<datatype_description/>"), "{xml}");
        assert!(
            xml.contains(
                "<values><value><key>123</key><name>Ford</name></value><value><key>124</key>\
                 <name>Chrysler &amp; Co</name></value></values>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<variable>true</variable>"), "{xml}");
    }

    #[test]
    fn a_file_name_gives_its_format() {
        assert_eq!(Format::split("labour.json"), Some(("labour", Format::Json)));
        assert_eq!(Format::split("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(Format::split("labour.txt"), None);
        assert_eq!(Format::split("labour"), None);
    }

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

//! Discovery, the service list (our categories) and the service definitions (what help, which
//! village).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use shared::Lang;
use shared::model::{CaseKind, Category, OrgLevel, OrgUnit};
use utoipa::ToSchema;

use crate::db;
use crate::error::{AppError, RequestLang};
use crate::routes::receipts::site_url;
use crate::state::AppState;

use super::answer::{Answer, Open311Error, Refusal, answer};
use super::{CHANGESET, Format, Params, SPECIFICATION, client_of};

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
pub(super) async fn villages(state: &AppState) -> Result<Vec<(OrgUnit, String)>, AppError> {
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

pub(super) fn unknown_format(lang: Lang) -> Refusal {
    Refusal::missing(
        Format::Xml,
        lang.pick("格式只能是 .json 或 .xml。", "The format is .json or .xml."),
    )
}

pub(super) fn no_service(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("service_code: 没有服务“{code}”;可用的服务见 services.xml。"),
        Lang::En => {
            format!("service_code: no service `{code}`; see services.xml for those offered.")
        }
    }
}

//! Posting a request: the API key, the service, the fields by the protocol's names, the
//! client's hourly allowance, then the case.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use shared::Lang;
use shared::api::{Open311Submission, OutsideMatter, RegisterCase};
use shared::model::{CaseKind, Category, OrgUnit};
use shared::validate::check_open311_request;
use utoipa::ToSchema;

use crate::db;
use crate::db::open311::NewRequest;
use crate::error::{AppError, RequestLang};
use crate::limits::AttemptLimiter;
use crate::routes::cases::register_from_outside;
use crate::routes::receipts::lookup_url;
use crate::state::AppState;

use super::answer::{Answer, Open311Error, Refusal, answer};
use super::services::{no_service, villages};
use super::{BODY_LIMIT, Format, Params, client_of};

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
pub(super) struct PostForm {
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
    let facts = facts_of(&params, &submission.description);
    let case = RegisterCase::from_outside(&OutsideMatter {
        kind: kind.unwrap_or(CaseKind::Dispute),
        category,
        village_id,
        facts: &facts,
        request: "",
        name: &submission.name,
        phone: &submission.phone,
    });
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
pub(super) fn read_submission(
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
/// (the staff see it, masked like any free text; the public answers never show it).
pub(super) fn facts_of(params: &Params, description: &str) -> String {
    let mut facts = description.trim().to_owned();
    // An e-mail address is not kept: the center calls back on the phone, and free text is
    // where a masked reader would see it.
    let extra = [("address_string", "地址"), ("media_url", "图片或视频")];
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
pub(super) async fn register(
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
pub(super) fn random_id(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

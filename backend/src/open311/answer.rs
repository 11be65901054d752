//! Open311 answers: one serde value as JSON, or as XML by the Spark convention; refusals as
//! the specification's error list.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use shared::ErrorKind;
use utoipa::ToSchema;

use crate::error::{AppError, RequestLang};

use super::Format;

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
    pub(super) status: StatusCode,
    pub(super) format: Format,
    pub(super) errors: Vec<String>,
    pub(super) retry_after: Option<u64>,
}

impl Refusal {
    pub(super) fn new(
        status: StatusCode,
        format: Format,
        description: impl Into<String>,
    ) -> Refusal {
        Refusal {
            status,
            format,
            errors: vec![description.into()],
            retry_after: None,
        }
    }

    pub(super) fn bad(format: Format, description: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, format, description)
    }

    pub(super) fn missing(format: Format, description: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::NOT_FOUND, format, description)
    }

    /// A failure of ours or a refusal from the shared machinery, as an Open311 error.
    pub(super) fn of(e: AppError, format: Format) -> Refusal {
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
pub(super) fn answer<T: Serialize>(
    status: StatusCode,
    format: Format,
    root: &str,
    value: &T,
) -> Response {
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
pub(super) fn item_name(list: &str) -> Option<&'static str> {
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
pub(super) fn spark(name: &str, value: Value) -> Value {
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
pub(super) fn to_xml(root: &str, value: Value) -> Result<String, String> {
    let value = spark(root, value);
    let body = quick_xml::se::to_string_with_root(root, &value).map_err(|e| e.to_string())?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}"
    ))
}

/// An unknown path under `/open311` (or an extension other than `.json` and `.xml`).
pub(super) async fn not_found(RequestLang(lang): RequestLang) -> Refusal {
    Refusal::missing(
        Format::Xml,
        lang.pick(
            "没有这个 Open311 资源;路径以 .json 或 .xml 结尾,见 /open311/discovery.xml。",
            "No such Open311 resource; paths end in .json or .xml (see /open311/discovery.xml).",
        ),
    )
}

pub(super) async fn method_not_allowed(RequestLang(lang): RequestLang) -> Refusal {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Format::Xml,
        lang.pick(
            "该资源不支持这种请求方法。",
            "This resource does not take this method.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::services::{Attribute, AttributeValue, ServiceDefinition};
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
}

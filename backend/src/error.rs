//! The backend's one error type and the extractors whose failures answer with the same
//! envelope (`shared::ApiError`): `AppJson` for bodies, `AppQuery` for query strings and
//! `IdPath` for ids in the path — never axum's plain-text rejections.
//!
//! Messages are in the request's language: the `language` middleware reads `Accept-Language`
//! once and keeps it for the request (`lang()`), so errors built anywhere below it — in an
//! extractor, a handler or a `?` on a database call — speak the person's language.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};

tokio::task_local! {
    static LANG: Lang;
}

/// The current request's language (Chinese outside a request).
pub fn lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// The language an `Accept-Language` header asks for.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Middleware: runs the request with its language set for `lang()`.
pub async fn language(req: Request, next: Next) -> Response {
    let l = lang_of(req.headers());
    LANG.scope(l, next.run(req)).await
}

/// Every failure of a request.
#[derive(Debug)]
pub enum AppError {
    /// An answer for the person: its kind decides the status.
    Api(Box<ApiError>),
    /// A failure on the server: logged once, answered with a bare 500.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// The result of a handler.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of `kind` with its general message in the request's language.
    pub fn kind(kind: ErrorKind) -> AppError {
        AppError::Api(Box::new(ApiError::new(kind, lang())))
    }

    /// 404.
    pub fn not_found() -> AppError {
        AppError::kind(ErrorKind::NotFound)
    }

    /// 403.
    pub fn forbidden() -> AppError {
        AppError::kind(ErrorKind::Forbidden)
    }

    /// 422 about one field.
    pub fn field(field: &str, reason: Reason) -> AppError {
        AppError::Api(Box::new(ApiError::field(field, reason, lang())))
    }

    /// 422 about several fields.
    pub fn fields(fields: Vec<FieldError>) -> AppError {
        AppError::Api(Box::new(ApiError::validation(fields, lang())))
    }

    /// A failure on the server, with what to log.
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> AppError {
        AppError::Internal(e.into())
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> AppError {
        AppError::Api(Box::new(e))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let message = lang().pick(
                "已存在相同的记录,请检查后重试。",
                "A record with the same value already exists; please check and try again.",
            );
            return AppError::Api(Box::new(
                ApiError::new(ErrorKind::Conflict, lang()).with_message(message),
            ));
        }
        AppError::Internal(Box::new(e))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> AppError {
        AppError::Internal(Box::new(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = match self {
            AppError::Api(e) => *e,
            AppError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                ApiError::new(ErrorKind::Internal, lang())
            }
        };
        error_response(body)
    }
}

/// The response for an error body: its status and the JSON envelope.
pub fn error_response(body: ApiError) -> Response {
    let status =
        StatusCode::from_u16(body.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match body.retry_after {
        Some(seconds) => (
            status,
            [(axum::http::header::RETRY_AFTER, seconds.to_string())],
            Json(body),
        )
            .into_response(),
        None => (status, Json(body)).into_response(),
    }
}

/// The answer to an unknown `/api/…` path.
pub async fn api_not_found() -> AppError {
    AppError::not_found()
}

/// The answer to a known `/api/…` path with a method it does not have.
pub async fn api_method_not_allowed() -> AppError {
    AppError::Api(Box::new(
        ApiError::new(ErrorKind::NotFound, lang())
            .with_message(lang().pick("不支持该请求方法。", "This method is not supported here.")),
    ))
}

/// A JSON body whose failures (not JSON, wrong type, unknown value, missing field) answer
/// with the envelope, naming the field (`parties[0].phone`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_content_type);
        if !is_json {
            return Err(AppError::Api(Box::new(
                ApiError::new(ErrorKind::BadRequest, lang()).with_message(lang().pick(
                    "请求须为 JSON(Content-Type: application/json)。",
                    "The request body must be JSON (Content-Type: application/json).",
                )),
            )));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    let l = lang();
                    let kib = crate::BODY_LIMIT / 1024;
                    AppError::Api(Box::new(
                        ApiError::new(ErrorKind::PayloadTooLarge, l).with_message(match l {
                            Lang::Zh => format!("提交的内容过大:最多 {kib} KB。"),
                            Lang::En => format!("The request is too large: at most {kib} KB."),
                        }),
                    ))
                } else {
                    AppError::kind(ErrorKind::BadRequest)
                }
            })?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Whether a `Content-Type` is exactly `application/json`, parameters aside
/// (`application/json; charset=utf-8`). Nothing else is taken — not `text/plain`, not
/// `application/jsonp`, not `…+json` — since those a page of another site can send without
/// a CORS preflight.
pub fn is_json_content_type(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Decodes a JSON body, turning serde's error into the envelope.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = path_text(e.path());
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_error(&path, &inner.to_string()),
            // serde_json reports a number or `null` where a closed-list value (an enum) was
            // expected as "expected value", a syntax error — though the JSON is fine. Then the
            // value at `path` has the wrong type.
            serde_json::error::Category::Syntax
                if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() =>
            {
                let field = if path.is_empty() { "body" } else { &path };
                AppError::field(
                    field,
                    Reason::WrongType {
                        expected: "string".to_owned(),
                    },
                )
            }
            _ => syntax_error(&inner),
        }
    })?;
    de.end().map_err(|e| syntax_error(&e))?;
    Ok(value)
}

fn syntax_error(e: &serde_json::Error) -> AppError {
    let l = lang();
    let message = match l {
        Lang::Zh => format!(
            "请求不是有效的 JSON(第 {} 行第 {} 列)。",
            e.line(),
            e.column()
        ),
        Lang::En => format!(
            "The request is not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        ),
    };
    AppError::Api(Box::new(
        ApiError::new(ErrorKind::BadRequest, l).with_message(message),
    ))
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

fn join_path(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// Text between the first pair of backticks after `after`.
fn backticked(msg: &str, after: &str) -> Option<String> {
    let rest = &msg[msg.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let end = start + rest[start..].find('`')?;
    Some(rest[start..end].to_owned())
}

/// A serde data error (the JSON is well formed but does not fit) as a field error.
fn data_error(path: &str, msg: &str) -> AppError {
    // A field inside a value decoded by hand (`shared::workflow::Command`) comes with its
    // path before the separator.
    let (path, msg) = match msg.split_once(shared::workflow::FIELD_PATH_SEPARATOR) {
        Some((inner, rest)) => (join_path(path, inner), rest),
        None => (path.to_owned(), msg),
    };
    let (path, msg) = (path.as_str(), msg);
    let (field, reason) = if let Some(name) = backticked(msg, "missing field") {
        (join_path(path, &name), Reason::Required)
    } else if msg.starts_with("unknown variant") {
        let allowed = msg
            .split("expected")
            .nth(1)
            .map(|list| {
                list.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        (path.to_owned(), Reason::UnknownValue { allowed })
    } else if msg.starts_with("unknown handler") {
        (
            path.to_owned(),
            Reason::UnknownValue {
                allowed: vec!["mediator:<id>".to_owned(), "department:<id>".to_owned()],
            },
        )
    } else if msg.starts_with("invalid type") {
        (
            path.to_owned(),
            Reason::WrongType {
                expected: expected_type(msg),
            },
        )
    } else if is_date_error(msg) {
        (
            path.to_owned(),
            Reason::Other {
                zh: "日期无效:应为真实存在的日期,格式 YYYY-MM-DD。".to_owned(),
                en: "Not a valid date: use a real date written YYYY-MM-DD.".to_owned(),
            },
        )
    } else if msg.starts_with("invalid value") || msg.contains("out of range") {
        (path.to_owned(), range_of(msg))
    } else if let Some(name) = backticked(msg, "duplicate field") {
        (join_path(path, &name), Reason::Duplicate)
    } else {
        (
            path.to_owned(),
            Reason::Other {
                zh: "取值无效。".to_owned(),
                en: format!(
                    "Invalid value: {}",
                    msg.split(" at line").next().unwrap_or(msg)
                ),
            },
        )
    };
    let field = if field.is_empty() {
        "body".to_owned()
    } else {
        field
    };
    AppError::field(&field, reason)
}

/// Whether serde's message is chrono's for a date that does not parse ("input is out of
/// range" for 2026-02-30, "input contains invalid characters", "premature end of input").
fn is_date_error(msg: &str) -> bool {
    msg.starts_with("input is out of range")
        || msg.starts_with("input contains invalid characters")
        || msg.starts_with("premature end of input")
        || msg.starts_with("trailing input")
        || msg.starts_with("input is not enough for unique date")
}

/// The JSON type serde expected, from its message ("expected i64" → "integer").
fn expected_type(msg: &str) -> String {
    let expected = msg
        .split("expected ")
        .nth(1)
        .unwrap_or("")
        .split(" at line")
        .next()
        .unwrap_or("")
        .trim();
    let e = expected.to_ascii_lowercase();
    let kind = if e.starts_with('i') || e.starts_with('u') && e[1..].starts_with(char::is_numeric) {
        "integer"
    } else if e.starts_with('f') && e[1..].starts_with(char::is_numeric) {
        "number"
    } else if e.contains("bool") {
        "boolean"
    } else if e.contains("string") || e.contains("char") || e.starts_with("a date") {
        "string"
    } else if e.contains("sequence") || e.contains("vec") || e.contains("tuple") {
        "array"
    } else if e.contains("struct") || e.contains("map") || e.contains("enum") {
        "object"
    } else if expected.is_empty() {
        "value"
    } else {
        return expected.to_owned();
    };
    kind.to_owned()
}

/// The bounds of the integer type an "invalid value" message expected.
fn range_of(msg: &str) -> Reason {
    let expected = msg.split("expected ").nth(1).unwrap_or("");
    let (min, max) = match expected.split_whitespace().next().unwrap_or("") {
        "u8" => (0, i64::from(u8::MAX)),
        "u16" => (0, i64::from(u16::MAX)),
        "u32" => (0, i64::from(u32::MAX)),
        "i8" => (i64::from(i8::MIN), i64::from(i8::MAX)),
        "i16" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "i32" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    Reason::OutOfRange { min, max }
}

/// Query-string parameters whose failures answer with the envelope, naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(AppQuery)
            .map_err(|e| {
                let path = path_text(e.path());
                let msg = e.into_inner().to_string();
                // serde_urlencoded parses numbers and booleans with `str::parse`, whose
                // messages say nothing of the type: name it.
                let msg = if msg.starts_with("unknown")
                    || msg.starts_with("invalid type")
                    || msg.starts_with("missing field")
                {
                    msg
                } else if msg.contains("`true` or `false`") {
                    "invalid type: expected a boolean".to_owned()
                } else if msg.contains("digit") || msg.contains("number") {
                    "invalid type: expected i64".to_owned()
                } else {
                    msg
                };
                data_error(&path, &msg)
            })
    }
}

/// A numeric id in the path; anything else is a 404 in the envelope.
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::not_found())?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(IdPath)
            .ok_or_else(AppError::not_found)
    }
}

/// The request's language, for handlers that build messages.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLang(lang_of(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Form {
        n: u8,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Item {
        kind: shared::model::CaseKind,
        phone: String,
    }

    fn field_of(json: &str) -> (ErrorKind, String, Option<Reason>) {
        match parse_json::<Form>(json.as_bytes()) {
            Err(AppError::Api(e)) => (
                e.kind,
                e.fields
                    .first()
                    .map(|f| f.field.clone())
                    .unwrap_or_default(),
                e.fields.first().map(|f| f.reason.clone()),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Move {
        version: i64,
        command: shared::workflow::Command,
    }

    fn move_field(json: &str) -> (String, Option<Reason>) {
        match parse_json::<Move>(json.as_bytes()) {
            Err(AppError::Api(e)) => (
                e.fields
                    .first()
                    .map(|f| f.field.clone())
                    .unwrap_or_default(),
                e.fields.first().map(|f| f.reason.clone()),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_impossible_or_malformed_date_says_so_by_its_field() {
        for body in [
            r#"{"what": "x", "due_on": "2026-02-30"}"#,
            r#"{"what": "x", "due_on": "2026-13-40"}"#,
            r#"{"what": "x", "due_on": "soon"}"#,
            r#"{"what": "x", "due_on": "2026-12"}"#,
        ] {
            match parse_json::<shared::api::NewUrging>(body.as_bytes()) {
                Err(AppError::Api(e)) => {
                    assert_eq!(e.fields[0].field, "due_on", "{body}");
                    assert!(
                        matches!(&e.fields[0].reason, Reason::Other { en, .. } if en.contains("YYYY-MM-DD")),
                        "{body}: {:?}",
                        e.fields[0].reason
                    );
                }
                other => panic!("{body}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_commands_refused_field_is_named_exactly() {
        let (field, reason) =
            move_field(r#"{"version": 1, "command": {"type": "return", "reason": 5}}"#);
        assert_eq!(field, "command.reason");
        assert!(
            matches!(reason, Some(Reason::WrongType { .. })),
            "{reason:?}"
        );
        let (field, reason) = move_field(r#"{"version": 1, "command": {"type": "return"}}"#);
        assert_eq!(
            (field.as_str(), reason),
            ("command.reason", Some(Reason::Required))
        );
        let (field, _) = move_field(
            r#"{"version": 1, "command": {"type": "route", "handler": "mediator:1", "cooperating": ["mediator:2", 7]}}"#,
        );
        assert_eq!(field, "command.cooperating[1]");
        let (field, reason) = move_field(r#"{"version": 1, "command": {"type": "teleport"}}"#);
        assert_eq!(field, "command.type");
        assert!(
            matches!(reason, Some(Reason::UnknownValue { allowed }) if allowed.contains(&"route".to_owned()))
        );
        let (field, reason) = move_field(
            r#"{"version": 1, "command": {"type": "close", "outcome": 3, "summary": "x"}}"#,
        );
        assert_eq!(field, "command.outcome");
        assert!(
            matches!(reason, Some(Reason::WrongType { .. })),
            "{reason:?}"
        );
        let (field, reason) = move_field(
            r#"{"version": 1, "command": {"type": "archive", "retention_years": 1000}}"#,
        );
        assert_eq!(field, "command.retention_years");
        assert_eq!(reason, Some(Reason::OutOfRange { min: 0, max: 255 }));
    }

    #[test]
    fn only_application_json_is_json() {
        assert!(is_json_content_type("application/json"));
        assert!(is_json_content_type("Application/JSON; charset=utf-8"));
        for ct in [
            "text/plain; charset=+json",
            "application/jsonp",
            "application/problem+json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=application/json",
            "",
        ] {
            assert!(!is_json_content_type(ct), "{ct}");
        }
    }

    #[test]
    fn json_errors_name_the_field_and_the_reason() {
        let (kind, field, reason) = field_of(r#"{"n": 1, "items": [{"kind": "dispute"}]}"#);
        assert_eq!(
            (kind, field.as_str()),
            (ErrorKind::Validation, "items[0].phone")
        );
        assert_eq!(reason, Some(Reason::Required));
        let (_, field, reason) =
            field_of(r#"{"n": 1, "items": [{"kind": "teleport", "phone": "1"}]}"#);
        assert_eq!(field, "items[0].kind");
        assert!(
            matches!(reason, Some(Reason::UnknownValue { allowed }) if allowed.contains(&"dispute".to_owned()))
        );
        let (_, field, reason) = field_of(r#"{"n": "x", "items": []}"#);
        assert_eq!(field, "n");
        assert_eq!(
            reason,
            Some(Reason::WrongType {
                expected: "integer".into()
            })
        );
        let (_, field, reason) = field_of(r#"{"n": 300, "items": []}"#);
        assert_eq!(field, "n");
        assert_eq!(reason, Some(Reason::OutOfRange { min: 0, max: 255 }));
        let (kind, _, _) = field_of(r#"{"n": 1, "items": [}"#);
        assert_eq!(kind, ErrorKind::BadRequest);
        // A number or null where a closed-list value belongs: the field, not "not JSON".
        for wrong in ["5", "null", "true", "[1]"] {
            let (kind, field, reason) = field_of(&format!(
                r#"{{"n": 1, "items": [{{"kind": {wrong}, "phone": "1"}}]}}"#
            ));
            assert_eq!(
                (kind, field.as_str()),
                (ErrorKind::Validation, "items[0].kind"),
                "{wrong}"
            );
            assert!(
                matches!(reason, Some(Reason::WrongType { .. })),
                "{wrong}: {reason:?}"
            );
        }
    }
}

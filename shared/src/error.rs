//! The API's one error envelope: a kind, a message in the person's language, per-field errors
//! that name the field and the reason, and — for a stale update — the current case.
//!
//! Reasons are data (`Reason`), so the browser can show them again in another language.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::lang::Lang;
use crate::model::CaseDetail;

/// What went wrong, as a class; decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The body is not valid JSON, or a value has the wrong type (400).
    BadRequest,
    /// One or more fields are invalid (422).
    Validation,
    /// Not signed in, or the session ended (401).
    Unauthorized,
    /// Signed in, but this role or person may not do this (403).
    Forbidden,
    /// No such thing, or not visible to this user (404).
    NotFound,
    /// The case changed since it was read (409); `current` holds the fresh case.
    Conflict,
    /// The body is larger than the server takes (413).
    PayloadTooLarge,
    /// Too many attempts, or the server is busy; try again later (429). `retry_after` says
    /// when.
    RateLimited,
    /// Something failed on the server (500); details are in the server's log only.
    Internal,
}

impl ErrorKind {
    /// The HTTP status code for this kind.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Validation => 422,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::RateLimited => 429,
            ErrorKind::Internal => 500,
        }
    }

    /// A general sentence for this kind.
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            ErrorKind::BadRequest => lang.pick("请求格式有误。", "The request is malformed."),
            ErrorKind::Validation => lang.pick("有字段填写不正确,请检查。", "Some fields are not valid; please check them."),
            ErrorKind::Unauthorized => lang.pick("请先登录。", "Please sign in."),
            ErrorKind::Forbidden => lang.pick("您无权进行此操作。", "You are not allowed to do this."),
            ErrorKind::NotFound => lang.pick("未找到。", "Not found."),
            ErrorKind::Conflict => lang.pick(
                "该案件已被他人修改,您的更改未保存。请查看最新内容后重试。",
                "Someone else changed this case; your change was not saved. Review the current case and try again.",
            ),
            ErrorKind::PayloadTooLarge => lang.pick("提交的内容过大。", "The request is too large."),
            ErrorKind::RateLimited => lang.pick("尝试次数过多,请稍后再试。", "Too many attempts; please try again later."),
            ErrorKind::Internal => lang.pick("服务器出错,请稍后再试。", "Something went wrong on the server; please try again."),
        }
    }
}

/// Why a field was refused. Each reason renders a sentence in either language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The field is missing or empty.
    Required,
    /// Longer than `max` characters.
    TooLong { max: u32 },
    /// Shorter than `min` characters.
    TooShort { min: u32 },
    /// A consent that must be given before sending was not ticked.
    ConsentRequired,
    /// A number outside `min..=max`.
    OutOfRange { min: i64, max: i64 },
    /// Not one of the allowed values.
    UnknownValue { allowed: Vec<String> },
    /// Of the wrong JSON type (`expected` says which).
    WrongType { expected: String },
    /// Holds control characters (or, in a one-line text, line breaks).
    ControlCharacters,
    /// Not a valid mainland phone number.
    InvalidPhone,
    /// Not a valid 18-character resident ID number.
    InvalidIdNumber,
    /// Not a valid case code.
    InvalidCaseCode,
    /// Must be exactly four digits.
    InvalidLastFour,
    /// Refers to something that does not exist (or not in this town).
    NoSuchItem,
    /// The unit is not below the one chosen above it (e.g. area not in the village).
    NotWithin,
    /// At least one applicant is needed.
    NeedsApplicant,
    /// The move is not a legal transition from the case's stage.
    IllegalTransition { from: String, to: String },
    /// The value is not allowed here (e.g. a closing result that needs another step).
    NotAllowedHere,
    /// The same value is given twice.
    Duplicate,
    /// The username or password is wrong.
    BadCredentials,
    /// Anything else, with a sentence in each language.
    Other { zh: String, en: String },
}

impl Reason {
    /// The sentence shown next to the field.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Reason::Required => lang.pick("必填。", "Required.").to_owned(),
            Reason::TooLong { max } => match lang {
                Lang::Zh => format!("不能超过 {max} 个字。"),
                Lang::En => format!("At most {max} characters."),
            },
            Reason::TooShort { min } => match lang {
                Lang::Zh => format!("请多写几句,至少 {min} 个字。"),
                Lang::En => format!("Please write a little more: at least {min} characters."),
            },
            Reason::ConsentRequired => lang
                .pick(
                    "请先阅读个人信息处理说明并勾选同意。",
                    "Read how your personal information is handled and tick your consent first.",
                )
                .to_owned(),
            Reason::OutOfRange { min, max } => match lang {
                Lang::Zh => format!("应在 {min} 到 {max} 之间。"),
                Lang::En => format!("Must be between {min} and {max}."),
            },
            Reason::UnknownValue { allowed } => match lang {
                Lang::Zh => format!("不是可选的值;可选:{}。", allowed.join("、")),
                Lang::En => format!("Not an allowed value; one of: {}.", allowed.join(", ")),
            },
            Reason::WrongType { expected } => match lang {
                Lang::Zh => format!("类型错误,应为{}。", type_name_zh(expected)),
                Lang::En => format!("Wrong type; expected {expected}."),
            },
            Reason::ControlCharacters => lang
                .pick(
                    "含有不可见的控制字符(或在单行文字中换行),请删除后重试。",
                    "Contains invisible control characters (or a line break in a one-line text); please remove them.",
                )
                .to_owned(),
            Reason::InvalidPhone => lang
                .pick(
                    "电话号码无效:应为 11 位手机号(1 开头)或带区号的固话。",
                    "Invalid phone number: use an 11-digit mobile number starting with 1, or a landline with area code.",
                )
                .to_owned(),
            Reason::InvalidIdNumber => lang
                .pick("身份证号无效:应为 18 位且校验位正确。", "Invalid ID number: 18 characters with a correct check digit.")
                .to_owned(),
            Reason::InvalidCaseCode => lang.pick("案件编号格式不正确。", "Not a valid case code.").to_owned(),
            Reason::InvalidLastFour => lang.pick("请输入手机号后四位数字。", "Enter the last four digits of the phone number.").to_owned(),
            Reason::NoSuchItem => lang.pick("不存在或不在本镇。", "Does not exist, or not in this town.").to_owned(),
            Reason::NotWithin => lang.pick("不属于上一级所选单位。", "Is not within the unit chosen above it.").to_owned(),
            Reason::NeedsApplicant => lang.pick("至少需要一名申请人。", "At least one applicant is needed.").to_owned(),
            Reason::IllegalTransition { from, to } => {
                let name = |s: &str| crate::model::Stage::parse(s).map(|st| st.label(lang).to_owned()).unwrap_or_else(|| s.to_owned());
                match lang {
                    Lang::Zh => format!("不能从“{}”移到“{}”。", name(from), name(to)),
                    Lang::En => format!("A case cannot move from “{}” to “{}”.", name(from), name(to)),
                }
            }
            Reason::NotAllowedHere => lang.pick("此处不允许该值。", "This value is not allowed here.").to_owned(),
            Reason::Duplicate => lang.pick("重复。", "Given twice.").to_owned(),
            Reason::BadCredentials => lang.pick("用户名或密码错误。", "Wrong username or password.").to_owned(),
            Reason::Other { zh, en } => lang.pick(zh, en).to_owned(),
        }
    }
}

fn type_name_zh(expected: &str) -> &str {
    match expected {
        "string" => "文本",
        "integer" | "number" => "数字",
        "boolean" => "是/否",
        "array" => "列表",
        "object" => "对象",
        other => other,
    }
}

/// One refused field: its path (`parties[0].phone`), the reason, and the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub reason: Reason,
    pub message: String,
}

impl FieldError {
    /// A field error with its message in `lang`.
    pub fn new(field: impl Into<String>, reason: Reason, lang: Lang) -> FieldError {
        let message = reason.message(lang);
        FieldError {
            field: field.into(),
            reason,
            message,
        }
    }
}

/// The one error body every API failure returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// For `Conflict`: the case as it is now, so the person can review it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<CaseDetail>>,
    /// For `RateLimited`: seconds until trying again can succeed (also the `Retry-After`
    /// header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error of `kind` with its general message.
    pub fn new(kind: ErrorKind, lang: Lang) -> ApiError {
        ApiError {
            kind,
            message: kind.message(lang).to_owned(),
            fields: Vec::new(),
            current: None,
            retry_after: None,
        }
    }

    /// A validation error carrying field errors.
    pub fn validation(fields: Vec<FieldError>, lang: Lang) -> ApiError {
        ApiError {
            fields,
            ..ApiError::new(ErrorKind::Validation, lang)
        }
    }

    /// A validation error about one field.
    pub fn field(field: &str, reason: Reason, lang: Lang) -> ApiError {
        ApiError::validation(vec![FieldError::new(field, reason, lang)], lang)
    }

    /// Replaces the general message with a specific one.
    pub fn with_message(mut self, message: impl Into<String>) -> ApiError {
        self.message = message.into();
        self
    }

    /// Says when to try again (seconds, at least one).
    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// Renders every message again in another language (the reasons are kept as data).
    pub fn localized(mut self, lang: Lang) -> ApiError {
        let general = [Lang::Zh, Lang::En]
            .iter()
            .any(|l| self.kind.message(*l) == self.message);
        if general {
            self.message = self.kind.message(lang).to_owned();
        }
        for f in &mut self.fields {
            f.message = f.reason.message(lang);
        }
        self
    }

    /// The message of a given field, if it was refused.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for field in &self.fields {
            write!(f, " {}: {}", field.field, field.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_render_in_both_languages() {
        let e = ApiError::field("parties[0].phone", Reason::InvalidPhone, Lang::Zh);
        assert_eq!(e.kind.status(), 422);
        assert!(
            e.field_message("parties[0].phone")
                .unwrap_or_default()
                .contains("电话")
        );
        let en = e.localized(Lang::En);
        assert!(en.message.contains("not valid"));
        assert!(
            en.field_message("parties[0].phone")
                .unwrap_or_default()
                .contains("phone")
        );
    }

    #[test]
    fn the_envelope_is_stable_json() {
        let e = ApiError::field("summary", Reason::TooLong { max: 100 }, Lang::En);
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["kind"], "validation");
        assert_eq!(json["fields"][0]["field"], "summary");
        assert_eq!(json["fields"][0]["reason"]["code"], "too_long");
        assert_eq!(json["fields"][0]["reason"]["max"], 100);
        assert!(json.get("current").is_none());
    }
}

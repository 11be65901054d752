//! The public pages, rendered on the server: the resident's status look-up at `/status`.
//!
//! A resident on a village phone network should not download the staff app to learn where
//! their matter stands, so these pages are plain HTML forms with one small style sheet and no
//! script: a few kilobytes, usable without JavaScript. The look-up itself is the API's
//! (`routes::public::look_up`): the same throttles, the same uniform "not found", the same
//! masking. The page's language is `?lang=en` (or the form's `lang`), else Chinese.
//!
//! `GET /status` shows the form (`?code=` fills the code in: the receipt's link and QR code);
//! `POST /status` (a form) shows the answer below it. Answers are never cached.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::Lang;
use shared::api::{PublicProgress, PublicStatus, StatusLookup};
use shared::error::{ApiError, ErrorKind, Reason};
use shared::model::{Stage, StepState};

use crate::auth::ClientIp;
use crate::error::AppError;
use crate::routes::public::{look_up, public_status};
use crate::state::AppState;

/// The public pages' style sheet, built into the server.
const STYLE: &str = include_str!("../assets/public.css");

/// `/public-<hash>.css`: the style sheet's address carries its content hash, so it is cached
/// for a year and a new release is fetched at once.
static STYLE_PATH: LazyLock<String> = LazyLock::new(|| {
    let hash: String = Sha256::digest(STYLE.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("/public-{hash}.css")
});

/// The largest look-up form accepted (two short fields and the language).
pub const FORM_LIMIT: usize = 1024;

/// `/status` and the style sheet.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(form).post(submit))
        .route(STYLE_PATH.as_str(), get(style))
}

async fn style() -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLE,
    )
        .into_response()
}

/// The query of `GET /status`.
#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    code: Option<String>,
    lang: Option<String>,
}

/// The fields of `POST /status`; anything else in the form is ignored.
#[derive(Debug, Default, Deserialize)]
struct LookupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone_last4: String,
    lang: Option<String>,
}

/// The language: the page's own choice (`?lang=en`), else Chinese — like the staff app, the
/// page opens in Chinese whatever the browser prefers (a resident's phone is often set to
/// English by the shop that sold it); the switch in its corner changes it.
fn page_lang(chosen: Option<&str>) -> Lang {
    match chosen {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

async fn form(State(state): State<AppState>, uri: Uri) -> Response {
    // A malformed query is ignored, like an unknown field: the form is shown all the same.
    let query: FormQuery =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let lang = page_lang(query.lang.as_deref());
    let code = query.code.unwrap_or_default();
    let code = code.trim().chars().take(32).collect::<String>();
    page(
        StatusCode::OK,
        &Page::new(lang, state.config.timezone(), code),
    )
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: LookupForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let lang = page_lang(form.lang.as_deref());
    let mut view = Page::new(
        lang,
        state.config.timezone(),
        form.code.trim().chars().take(32).collect(),
    );
    // A missing field is named before anything is looked up (nothing is learnt from it).
    for (field, value) in [("code", &form.code), ("phone_last4", &form.phone_last4)] {
        if value.trim().is_empty() {
            view.fields.push((field, Reason::Required.message(lang)));
        }
    }
    if !view.fields.is_empty() {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    let lookup = StatusLookup {
        code: form.code,
        phone_last4: form.phone_last4,
    };
    let status = match look_up(&state, ip, &lookup).await {
        Ok((cached, code)) => {
            let today = state.config.today();
            view.code.clone_from(&code);
            view.answer = Answer::Found(Box::new(public_status(
                &cached,
                code,
                lang,
                today,
                state.config.timezone(),
            )?));
            StatusCode::OK
        }
        Err(AppError::Api(e)) => {
            let e = e.localized(lang);
            let status =
                StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            match e.kind {
                ErrorKind::Validation => {
                    view.fields = fields_of(&e);
                }
                ErrorKind::NotFound => view.answer = Answer::NotFound,
                _ => view.answer = Answer::Refused(e.message.clone()),
            }
            status
        }
        Err(e) => return Err(e),
    };
    Ok(page(status, &view))
}

fn fields_of(e: &ApiError) -> Vec<(&'static str, String)> {
    e.fields
        .iter()
        .filter_map(|f| {
            let field = match f.field.as_str() {
                "code" => "code",
                "phone_last4" => "phone_last4",
                _ => return None,
            };
            Some((field, f.message.clone()))
        })
        .collect()
}

/// What one rendering of the page shows.
#[derive(Debug)]
struct Page {
    lang: Lang,
    /// The centers' time zone, for the notes' times.
    tz: chrono::FixedOffset,
    code: String,
    /// Refused fields and why, in the page's language.
    fields: Vec<(&'static str, String)>,
    answer: Answer,
}

#[derive(Debug)]
enum Answer {
    None,
    Found(Box<PublicStatus>),
    NotFound,
    /// Throttled (or another refusal), with the sentence to show.
    Refused(String),
}

impl Page {
    fn new(lang: Lang, tz: chrono::FixedOffset, code: String) -> Page {
        Page {
            lang,
            tz,
            code,
            fields: Vec::new(),
            answer: Answer::None,
        }
    }

    fn error_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn page(status: StatusCode, view: &Page) -> Response {
    let body = render(view).into_string();
    (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

fn render(view: &Page) -> Markup {
    let l = view.lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let (other, other_label, other_tag) = match l {
        Lang::Zh => ("en", "English", "en"),
        Lang::En => ("zh", "中文", "zh-CN"),
    };
    let mut switch = format!("/status?lang={other}");
    if !view.code.is_empty() {
        switch.push_str("&code=");
        switch.extend(form_urlencoded::byte_serialize(view.code.as_bytes()));
    }
    let code_error = view.error_of("code");
    let digits_error = view.error_of("phone_last4");
    // With the code filled in (from the receipt), the digits are what is left to type.
    let focus_digits = !view.code.is_empty() && code_error.is_none();
    html! {
        (DOCTYPE)
        html lang=(l.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { (t("办理进度查询 · 综治中心", "Case status · Governance center")) }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href=(STYLE_PATH.as_str());
            }
            body {
                header.top {
                    span.brand { (t("综治中心 · 办理进度查询", "Governance center · Case status")) }
                    a.lang href=(switch) hreflang=(other_tag) lang=(other_tag) data-testid="lang-switch" { (other_label) }
                }
                main data-testid="status-page" {
                    h1 { (t("办理进度查询", "Case status lookup")) }
                    p.muted { (t("请输入受理回执上的案件编号和申请人手机号后四位(未留手机号的,输入回执上的查询码)。", "Enter the case code from your receipt and the last four digits of the applicant's phone (or, if no phone was given, the query code on the receipt).")) }
                    form method="post" action="/status" novalidate data-testid="status-form" {
                        input type="hidden" name="lang" value=(l.pick("zh", "en"));
                        div.field {
                            label for="status-code" { (t("案件编号", "Case code")) }
                            input #status-code name="code" type="text" autocomplete="off" autocapitalize="characters"
                                spellcheck="false" .mono placeholder=(t("例如 2611-2345Z2", "e.g. 2611-2345Z2"))
                                value=(view.code) maxlength="32"
                                autofocus[!focus_digits]
                                aria-invalid=[code_error.map(|_| "true")]
                                aria-describedby=[code_error.map(|_| "status-code-error")];
                            @if let Some(m) = code_error {
                                p.error #status-code-error data-testid="error-code" { (m) }
                            }
                        }
                        div.field {
                            label for="status-last4" { (t("手机号后四位或查询码", "Last four digits of the phone, or query code")) }
                            input #status-last4 name="phone_last4" type="text" inputmode="numeric" maxlength="4"
                                autocomplete="off" .mono
                                autofocus[focus_digits]
                                aria-invalid=[digits_error.map(|_| "true")]
                                aria-describedby=[digits_error.map(|_| "status-last4-error")];
                            @if let Some(m) = digits_error {
                                p.error #status-last4-error data-testid="error-phone_last4" { (m) }
                            }
                        }
                        button type="submit" data-testid="lookup" { (t("查询", "Look up")) }
                    }
                    p.hint { (t("为保护隐私,查询结果不显示当事人姓名、证件号、电话、详细住址和协议内容。", "For privacy, the answer never shows names, ID numbers, phone numbers, street addresses or agreement contents.")) }
                    @match &view.answer {
                        Answer::None => {},
                        Answer::NotFound => {
                            div.alert role="alert" data-testid="status-not-found" {
                                (t("未找到该案件。请核对案件编号和手机号后四位。", "No case found. Check the case code and the last four digits of the phone."))
                            }
                        },
                        Answer::Refused(message) => {
                            div.alert role="alert" data-testid="status-error" { (message) }
                        },
                        Answer::Found(status) => { (result(status, l, view.tz)) },
                    }
                }
            }
        }
    }
}

fn result(status: &PublicStatus, l: Lang, tz: chrono::FixedOffset) -> Markup {
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let progress = match status.progress {
        PublicProgress::Received => "received",
        PublicProgress::InProgress => "in_progress",
        PublicProgress::Closed => "closed",
    };
    let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let steps = [
        (Stage::Registered, Some(status.registered_on)),
        (Stage::Routed, status.routed_on),
        (Stage::InHandling, status.handling_on),
        (Stage::Closed, status.closed_on),
        (Stage::Archived, status.archived_on),
    ];
    html! {
        section.result data-testid="status-result" data-progress=(progress) data-restricted=(status.restricted)
            aria-labelledby="status-result-title" {
            h2 #status-result-title {
                span.mono data-testid="status-code" { (status.code) }
                " "
                span class={"progress progress-" (progress)} data-testid="status-progress" { (status.progress.label(l)) }
            }
            @if let Some(kind) = status.kind {
                p.muted { (kind.label(l)) }
            }
            @if status.restricted {
                p.hint data-testid="status-restricted" {
                    (t("此类事项只显示受理、办理中和已办结。", "For this kind of matter only received, in progress and closed are shown."))
                }
            }
            @if let Some(stage) = status.stage {
                ol.steps data-testid="stepper" data-stage=(stage.as_str()) aria-label=(t("办理环节", "Stages")) {
                    @for (step, on) in steps {
                        @let state = StepState::of(step, stage, on.is_some());
                        li class={"step step-" (state.as_str())} data-step=(step.as_str()) data-state=(state.as_str())
                            aria-current=[(state == StepState::Current).then_some("step")] {
                            span.dot aria-hidden="true" {
                                @if state == StepState::Done { (PreEscaped("&#10003;")) }
                            }
                            span.name { (step.label(l)) }
                            span.when {
                                @match (state, on) {
                                    (_, Some(d)) => { (date(d)) },
                                    (StepState::Skipped, None) => { (t("未经此环节", "not needed")) },
                                    _ => { (t("未到", "not yet")) },
                                }
                            }
                        }
                    }
                }
            }
            dl.facts {
                @if let Some(outcome) = status.outcome {
                    div { dt { (t("办理结果", "Result")) } dd data-testid="status-outcome" data-outcome=(outcome.as_str()) { (outcome.label(l)) } }
                }
                @if let Some(unit) = &status.handling_unit {
                    div { dt { (t("承办单位", "Handling unit")) } dd data-testid="status-unit" { (unit) } }
                }
                @if let Some(d) = status.due_on {
                    div { dt { (t("预计办结", "Expected by")) } dd data-testid="status-due" { (date(d)) } }
                }
                @if status.suspended {
                    div { dt { (t("办理状态", "Handling")) } dd data-testid="status-suspended" { (t("暂停计时(等待当事人或鉴定等)", "Paused (waiting for a party, a hearing or an appraisal)")) } }
                }
                @if let Some(ok) = status.on_time {
                    div {
                        dt { (t("是否按期", "On time")) }
                        dd data-testid="status-on-time" data-on-time=(ok) {
                            span class={"badge " (if ok { "ok" } else { "late" })} {
                                (if ok { t("按期", "On time") } else { t("已超期", "Overdue") })
                            }
                        }
                    }
                }
            }
            @if !status.restricted {
                section.notes aria-labelledby="status-notes-title" {
                    h3 #status-notes-title { (t("中心公开的进展", "Progress published by the center")) }
                    @if status.notes.is_empty() {
                        p.hint { (t("暂无公开的进展说明。", "No progress notes published yet.")) }
                    } @else {
                        ol data-testid="status-notes" {
                            @for n in &status.notes {
                                li data-testid="status-note" {
                                    time datetime=(n.at.to_rfc3339()) { (n.at.with_timezone(&tz).format("%Y-%m-%d %H:%M")) }
                                    p { (n.text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

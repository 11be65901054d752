//! The resident's status look-up (`GET`/`POST /status`) and rating (`POST /status/rate`).
//!
//! `GET /status` shows the form (`?code=` fills the code in: the receipt's link and QR code);
//! `POST /status` (a form) shows the answer below it. A closed case that has no rating yet
//! offers the rating form, which proves the case again with the same code and digits (sent
//! back as hidden fields of the answer, which is never cached) through `routes::public::rate`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use shared::Lang;
use shared::api::{PublicProgress, PublicStatus, RateCase, StatusLookup};
use shared::error::{ApiError, ErrorKind, Reason};
use shared::model::{Satisfaction, Stage, StepState};

use super::{Tab, html_response, layout, page_lang};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::routes::public::{look_up, public_status, rate};
use crate::state::{AppState, CachedCase};

/// `/status` and `/status/rate`.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(form).post(submit))
        .route("/status/rate", post(submit_rating))
}

/// The query of `GET /status`.
#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    code: Option<String>,
    lang: Option<String>,
}

/// The fields of `POST /status`; anything else in the form is ignored.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct LookupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone_last4: String,
    lang: Option<String>,
}

/// The fields of `POST /status/rate`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct RatingForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone_last4: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    comment: String,
    lang: Option<String>,
}

/// A code as the form shows it again: trimmed, at most 32 characters.
fn shown_code(code: &str) -> String {
    code.trim().chars().take(32).collect()
}

#[utoipa::path(
    get,
    path = "/status",
    tag = "pages",
    params(
        ("code" = Option<String>, Query, description = "The case code to fill in (the receipt's link and QR code)"),
        ("lang" = Option<String>, Query, description = "`en` for English; otherwise Chinese"),
    ),
    responses(
        (status = 200, description = "The look-up form (HTML, no script)", content_type = "text/html", body = String),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn form(State(state): State<AppState>, uri: Uri) -> Response {
    // A malformed query is ignored, like an unknown field: the form is shown all the same.
    let query: FormQuery =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let lang = page_lang(query.lang.as_deref());
    let code = shown_code(&query.code.unwrap_or_default());
    page(
        StatusCode::OK,
        &Page::new(lang, state.config.timezone(), code),
    )
}

#[utoipa::path(
    post,
    path = "/status",
    tag = "pages",
    request_body(content = LookupForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The form and the answer: the stages, the unit, the dates, the published notes, and for a closed case the rating form", content_type = "text/html", body = String),
        (status = 400, description = "Never: a form that does not parse is taken as empty (422)", body = ApiError),
        (status = 404, description = "No such case, or the digits do not match: one answer for both", content_type = "text/html", body = String),
        (status = 422, description = "A field is missing or malformed: the page names it", content_type = "text/html", body = String),
        (status = 403, description = "The form came from another site (JSON envelope)", body = ApiError),
        (status = 413, description = "The form is larger than 8 KiB", body = String),
        (status = 429, description = "Too many failed look-ups from this address or of this code: the page says so; `Retry-After` says when to try again", content_type = "text/html", body = String),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: LookupForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let lang = page_lang(form.lang.as_deref());
    let mut view = Page::new(lang, state.config.timezone(), shown_code(&form.code));
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
            view.found(&state, &cached, code, &lookup.phone_last4)?;
            StatusCode::OK
        }
        Err(e) => view.refused(e)?,
    };
    Ok(page(status, &view))
}

#[utoipa::path(
    post,
    path = "/status/rate",
    tag = "pages",
    request_body(content = RatingForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The rating was kept: the answer again, with the rating and thanks", content_type = "text/html", body = String),
        (status = 400, description = "Never: a form that does not parse is taken as empty (422)", body = ApiError),
        (status = 404, description = "No such case, or the digits do not match", content_type = "text/html", body = String),
        (status = 409, description = "Not closed yet, or rated already: the page says which", content_type = "text/html", body = String),
        (status = 422, description = "No rating chosen, or the comment is too long: the page names the field", content_type = "text/html", body = String),
        (status = 403, description = "The form came from another site (JSON envelope)", body = ApiError),
        (status = 413, description = "The form is larger than 8 KiB", body = String),
        (status = 429, description = "Too many failed look-ups from this address or of this code: the page says so; `Retry-After` says when to try again", content_type = "text/html", body = String),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn submit_rating(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: RatingForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let lang = page_lang(form.lang.as_deref());
    let mut view = Page::new(lang, state.config.timezone(), shown_code(&form.code));
    let lookup = StatusLookup {
        code: form.code.clone(),
        phone_last4: form.phone_last4.clone(),
    };
    let Some(satisfaction) = Satisfaction::parse(form.satisfaction.trim()) else {
        // Nothing chosen (or a value no form offers): the answer is shown again, with the
        // choice asked for; the look-up counts like any other.
        let reason = if form.satisfaction.trim().is_empty() {
            Reason::Required
        } else {
            Reason::UnknownValue {
                allowed: Satisfaction::ALL
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            }
        };
        let status = match look_up(&state, ip, &lookup).await {
            Ok((cached, code)) => {
                view.found(&state, &cached, code, &lookup.phone_last4)?;
                view.comment = form.comment.clone();
                view.rating_error = Some(("satisfaction", reason.message(lang)));
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(e) => view.refused(e)?,
        };
        return Ok(page(status, &view));
    };
    let req = RateCase {
        code: form.code,
        phone_last4: form.phone_last4,
        satisfaction,
        comment: form.comment,
    };
    let status = match rate(&state, ip, &req, lang).await {
        Ok((cached, code)) => {
            view.found(&state, &cached, code, &req.phone_last4)?;
            view.thanked = true;
            StatusCode::OK
        }
        Err(AppError::Api(e)) if matches!(e.kind, ErrorKind::Conflict | ErrorKind::Validation) => {
            // Rated already, not closed, or the comment refused: the case is shown as it is,
            // with the reason beside the rating.
            let kind = e.kind;
            let e = e.localized(lang);
            match look_up(&state, ip, &lookup).await {
                Ok((cached, code)) => {
                    view.found(&state, &cached, code, &lookup.phone_last4)?;
                    view.comment = req.comment.clone();
                    view.rating_error = Some(match e.fields.first() {
                        Some(f) if kind == ErrorKind::Validation => ("comment", f.message.clone()),
                        _ => ("satisfaction", e.message.clone()),
                    });
                    StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::CONFLICT)
                }
                Err(e) => view.refused(e)?,
            }
        }
        Err(e) => view.refused(e)?,
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
    /// The digits that found the case, sent back with the rating form.
    digits: String,
    /// Refused fields and why, in the page's language.
    fields: Vec<(&'static str, String)>,
    answer: Answer,
    /// The rating form's refusal: which of its fields, and why.
    rating_error: Option<(&'static str, String)>,
    /// The comment typed, kept when the rating is refused.
    comment: String,
    /// The rating was just kept.
    thanked: bool,
    /// Seconds until a throttled look-up may try again.
    retry_after: Option<u64>,
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
            digits: String::new(),
            fields: Vec::new(),
            answer: Answer::None,
            rating_error: None,
            comment: String::new(),
            thanked: false,
            retry_after: None,
        }
    }

    fn error_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Shows the case a look-up found (`code` as normalised, the digits that proved it).
    fn found(
        &mut self,
        state: &AppState,
        cached: &CachedCase,
        code: String,
        digits: &str,
    ) -> Result<(), AppError> {
        self.code.clone_from(&code);
        self.digits = digits.trim().to_owned();
        let today = state.config.today();
        let answer = public_status(cached, code, self.lang, today, self.tz)?;
        self.answer = Answer::Found(Box::new(answer));
        Ok(())
    }

    /// Shows a refused look-up (fields, not found, throttled) and returns its status; a
    /// failure on the server stays one.
    fn refused(&mut self, e: AppError) -> Result<StatusCode, AppError> {
        let AppError::Api(e) = e else { return Err(e) };
        let e = e.localized(self.lang);
        let status =
            StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        match e.kind {
            ErrorKind::Validation => self.fields = fields_of(&e),
            ErrorKind::NotFound => self.answer = Answer::NotFound,
            _ => {
                self.retry_after = e.retry_after;
                self.answer = Answer::Refused(e.message.clone());
            }
        }
        Ok(status)
    }
}

fn page(status: StatusCode, view: &Page) -> Response {
    html_response(status, view.retry_after, render(view))
}

fn render(view: &Page) -> Markup {
    let l = view.lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let code_error = view.error_of("code");
    let digits_error = view.error_of("phone_last4");
    // With the code filled in (from the receipt), the digits are what is left to type.
    let focus_digits = !view.code.is_empty() && code_error.is_none();
    let content = html! {
        main data-testid="status-page" {
            h1 { (t("办理进度查询", "Case status lookup")) }
            p.muted { (t("请输入受理回执上的案件编号和申请人手机号后四位(未留手机号的,输入回执上的查询码)。", "Enter the case code from your receipt and the last four digits of the applicant's phone (or, if no phone was given, the query code on the receipt).")) }
            form method="post" action="/status#answer" novalidate data-testid="status-form" {
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
            // The forms' addresses end in `#answer` and `#rating`: on a phone the browser
            // scrolls to what the form brought instead of showing the form again.
            div #answer {
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
                Answer::Found(status) => {
                    (result(status, l, view.tz))
                    (rating(status, view))
                },
            }
            }
        }
    };
    layout(
        l,
        Tab::Status,
        t("办理进度查询", "Case status"),
        &[("code", view.code.as_str())],
        &content,
    )
}

/// The rating of a closed case: the form while none is given, else the rating given.
fn rating(status: &PublicStatus, view: &Page) -> Markup {
    let l = view.lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let choice_error = view
        .rating_error
        .as_ref()
        .filter(|(f, _)| *f == "satisfaction")
        .map(|(_, m)| m.as_str());
    let comment_error = view
        .rating_error
        .as_ref()
        .filter(|(f, _)| *f == "comment")
        .map(|(_, m)| m.as_str());
    html! {
        @if let Some(given) = status.rating {
            section.result.rated #rating data-testid="status-rating" data-satisfaction=(given.as_str())
                aria-labelledby="rating-title" {
                h2 #rating-title { (t("您的评价", "Your rating")) }
                @if view.thanked {
                    p.thanks role="status" data-testid="rating-thanks" {
                        (t("感谢您的评价!中心会认真听取您的意见。", "Thank you for your rating: the center reads every one."))
                    }
                }
                p { (t("您对办理结果的评价:", "You rated the result: ")) strong { (given.label(l)) } }
                @if let Some(m) = choice_error {
                    p.error data-testid="rating-error" { (m) }
                }
            }
        } @else if status.may_rate() {
            form.result #rating method="post" action="/status/rate#rating" novalidate data-testid="rating-form"
                aria-labelledby="rating-title" {
                h2 #rating-title { (t("评价办理结果", "Rate the result")) }
                p.hint { (t("事项已办结。您对办理结果满意吗?每个案件只能评价一次。", "The matter is closed. Were you satisfied with the result? A case is rated once.")) }
                input type="hidden" name="lang" value=(l.pick("zh", "en"));
                input type="hidden" name="code" value=(status.code);
                input type="hidden" name="phone_last4" value=(view.digits);
                fieldset.choices aria-invalid=[choice_error.map(|_| "true")]
                    aria-describedby=[choice_error.map(|_| "rating-choice-error")] {
                    legend { (t("您的评价", "Your rating")) }
                    @for s in Satisfaction::ALL {
                        label.choice {
                            input type="radio" name="satisfaction" value=(s.as_str())
                                data-testid={"rate-" (s.as_str())};
                            span { (s.label(l)) }
                        }
                    }
                    @if let Some(m) = choice_error {
                        p.error #rating-choice-error data-testid="rating-error" { (m) }
                    }
                }
                div.field {
                    label for="rating-comment" { (t("意见或建议(选填)", "Comment (optional)")) }
                    textarea #rating-comment name="comment" rows="3" maxlength=(shared::api::RATING_COMMENT_MAX)
                        aria-invalid=[comment_error.map(|_| "true")]
                        aria-describedby=[comment_error.map(|_| "rating-comment-error")]
                        data-testid="rating-comment" { (view.comment) }
                    @if let Some(m) = comment_error {
                        p.error #rating-comment-error data-testid="error-comment" { (m) }
                    }
                }
                button type="submit" data-testid="rate" { (t("提交评价", "Send the rating")) }
            }
        }
    }
}

/// The answer to a look-up: the progress, the stages, the facts and the published notes.
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

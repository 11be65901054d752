//! The online request form (网上诉求): `GET /request` shows it, `POST /request` registers the
//! matter as a case with the channel "online" in the registered column of its town's board
//! and answers with the receipt at once: the case code, the town's center, the expected date
//! and the look-up's QR code.
//!
//! Abuse is expected. The form is at most `REQUEST_FORM_LIMIT` bytes; every text has its
//! length (`shared::validate::check_online_request`); a honeypot field (`website`), hidden
//! from people and from screen readers, refuses what a bot filled in; and each address and
//! each contact phone may send only so many requests (`CONCORD_ONLINE_MAX_PER_ADDRESS` an
//! hour, `CONCORD_ONLINE_MAX_PER_PHONE` a day), counted before the case is written so that
//! requests sent together cannot pass the limit. A refusal says why in the page's language
//! and keeps everything typed.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use shared::api::{OnlineRequest, OutsideMatter, RegisterCase};
use shared::error::{FieldError, Reason};
use shared::model::{CaseKind, Category, OrgLevel, OrgUnit};
use shared::privacy::mask_phone;
use shared::validate::{
    ONLINE_FACTS_MAX, ONLINE_NAME_MAX, ONLINE_REQUEST_MAX, PHONE_MAX, check_online_request,
};
use shared::workflow::RETENTION_YEARS;
use shared::{ApiError, Lang};

use super::{Tab, html_response, layout, page_lang};
use crate::auth::ClientIp;
use crate::db;
use crate::db::org::CenterRow;
use crate::error::{AppError, AppResult};
use crate::limits::AttemptLimiter;
use crate::routes::cases::register_from_outside;
use crate::routes::public::RESIDENT;
use crate::routes::receipts::{lookup_url, qr_svg};
use crate::state::AppState;

/// The largest request form accepted: 2,000 characters of facts and 500 of request, each
/// Chinese character percent-encoded in nine bytes, and the short fields.
pub const REQUEST_FORM_LIMIT: usize = 32 * 1024;

/// `/request`.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/request", get(form).post(submit))
}

/// The fields of `POST /request`, as typed (each is checked and named when refused).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct RequestForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    village_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    website: String,
    lang: Option<String>,
}

impl RequestForm {
    /// The request the form describes, and the fields whose value no form offers.
    fn to_request(&self, lang: Lang) -> (OnlineRequest, Vec<FieldError>) {
        let mut unknown = Vec::new();
        let mut pick = |field: &str, value: &str, allowed: Vec<String>| {
            if !value.trim().is_empty() {
                unknown.push(FieldError::new(
                    field,
                    Reason::UnknownValue { allowed },
                    lang,
                ));
            }
        };
        let kind = CaseKind::parse(self.kind.trim());
        if kind.is_none() {
            pick(
                "kind",
                &self.kind,
                CaseKind::ALL
                    .iter()
                    .map(|k| k.as_str().to_owned())
                    .collect(),
            );
        }
        let category = Category::parse(self.category.trim());
        if category.is_none() {
            pick(
                "category",
                &self.category,
                Category::ALL
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect(),
            );
        }
        let village_id = self.village_id.trim().parse::<i64>().ok();
        if village_id.is_none() && !self.village_id.trim().is_empty() {
            unknown.push(FieldError::new("village_id", Reason::NoSuchItem, lang));
        }
        let req = OnlineRequest {
            kind,
            category,
            facts: self.facts.clone(),
            request: self.request.clone(),
            village_id,
            name: self.name.clone(),
            // People write a mobile in groups ("137 1234 5678"): the spaces are dropped.
            phone: self.phone.split_whitespace().collect(),
            consent: matches!(self.consent.as_str(), "yes" | "on" | "true"),
            website: self.website.clone(),
        };
        (req, unknown)
    }
}

/// The towns and their villages the form offers, and the centers the consent names.
struct Places {
    towns: Vec<(OrgUnit, Vec<OrgUnit>)>,
    centers: Vec<(i64, CenterRow)>,
}

impl Places {
    async fn load(state: &AppState) -> AppResult<Places> {
        let mut conn = state.db.pool.acquire().await?;
        let units = db::org::all_units(&mut conn).await?;
        let centers = db::org::centers(&mut conn).await?;
        let towns = units
            .iter()
            .filter(|u| u.level == OrgLevel::Town)
            .map(|town| {
                let villages = units
                    .iter()
                    .filter(|u| u.level == OrgLevel::Village && u.parent_id == Some(town.id))
                    .cloned()
                    .collect();
                (town.clone(), villages)
            })
            .collect();
        Ok(Places { towns, centers })
    }

    /// The town of a village the form offers.
    fn town_of(&self, village_id: i64) -> Option<i64> {
        self.towns
            .iter()
            .find(|(_, villages)| villages.iter().any(|v| v.id == village_id))
            .map(|(town, _)| town.id)
    }

    fn center(&self, town_id: i64) -> Option<&CenterRow> {
        self.centers
            .iter()
            .find(|(t, _)| *t == town_id)
            .map(|(_, c)| c)
    }
}

/// What one rendering of the form shows.
struct View {
    lang: Lang,
    form: RequestForm,
    fields: Vec<FieldError>,
    /// A refusal of the whole form (throttled, the honeypot, too large).
    alert: Option<String>,
    retry_after: Option<u64>,
    places: Places,
}

impl View {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }
}

/// The registered request, for its receipt.
struct Registered {
    code: String,
    due_on: NaiveDate,
    center: Option<CenterRow>,
    phone: String,
    lookup_url: String,
    qr: String,
}

/// The query of `GET /request`.
#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    lang: Option<String>,
}

#[utoipa::path(
    get,
    path = "/request",
    tag = "pages",
    params(("lang" = Option<String>, Query, description = "`en` for English; otherwise Chinese")),
    responses(
        (status = 200, description = "The online request form (HTML, no script), with the personal-information notice", content_type = "text/html", body = String),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn form(State(state): State<AppState>, uri: Uri) -> AppResult<Response> {
    let query: FormQuery =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let lang = page_lang(query.lang.as_deref());
    let view = View {
        lang,
        form: RequestForm::default(),
        fields: Vec::new(),
        alert: None,
        retry_after: None,
        places: Places::load(&state).await?,
    };
    Ok(html_response(StatusCode::OK, None, render_form(&view)))
}

#[utoipa::path(
    post,
    path = "/request",
    tag = "pages",
    request_body(content = RequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 201, description = "Registered as a case (channel `online`): the receipt with the code, the center, the expected date and the look-up's QR code", content_type = "text/html", body = String),
        (status = 400, description = "Never: a form that does not parse is taken as empty (422)", body = ApiError),
        (status = 403, description = "The form came from another site (JSON envelope)", body = ApiError),
        (status = 413, description = "The form is larger than 32 KiB: the page says so", content_type = "text/html", body = String),
        (status = 422, description = "Fields refused (each named on the page), consent not given, or the hidden honeypot filled in", content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this address or for this phone: the page says so and keeps what was typed; `Retry-After` says when", content_type = "text/html", body = String),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
)]
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let places = Places::load(&state).await?;
    let Ok(bytes) = axum::body::to_bytes(body, REQUEST_FORM_LIMIT).await else {
        // Far more than the form can hold: nothing of it is kept.
        let lang = Lang::Zh;
        let view = View {
            lang,
            form: RequestForm::default(),
            fields: Vec::new(),
            alert: Some(too_large(lang)),
            retry_after: None,
            places,
        };
        return Ok(html_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            render_form(&view),
        ));
    };
    let form: RequestForm = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let lang = page_lang(form.lang.as_deref());
    let mut view = View {
        lang,
        form,
        fields: Vec::new(),
        alert: None,
        retry_after: None,
        places,
    };
    if !view.form.website.trim().is_empty() {
        // Only a program fills in a field nobody can see.
        view.alert = Some(honeypot(lang));
        return Ok(refused(StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    let (req, mut fields) = view.form.to_request(lang);
    if let Err(more) = check_online_request(&req, lang) {
        let more: Vec<FieldError> = more
            .into_iter()
            .filter(|f| !fields.iter().any(|g| g.field == f.field))
            .collect();
        fields.extend(more);
    }
    let town_id = req.village_id.and_then(|v| view.places.town_of(v));
    if req.village_id.is_some()
        && town_id.is_none()
        && !fields.iter().any(|f| f.field == "village_id")
    {
        fields.push(FieldError::new("village_id", Reason::NoSuchItem, lang));
    }
    // In the form's order, so the first error is the first field to mend.
    let order = [
        "kind",
        "category",
        "facts",
        "request",
        "village_id",
        "name",
        "phone",
        "consent",
    ];
    fields.sort_by_key(|f| order.iter().position(|o| *o == f.field));
    let (Some(town_id), true) = (town_id, fields.is_empty()) else {
        view.fields = fields;
        return Ok(refused(StatusCode::UNPROCESSABLE_ENTITY, &view));
    };
    // Counted before the case is written: of requests sent together, only as many as the
    // limits allow get through. A request that fails below gives its slots back.
    let phone_key: String = req.phone.chars().filter(char::is_ascii_digit).collect();
    let limits = &state.limits;
    let attempt = match AttemptLimiter::begin(&[
        (&limits.online_ip, ip.to_string()),
        (&limits.online_phone, phone_key),
    ]) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let seconds = wait.as_secs() + 1;
            view.alert = Some(throttled(lang, seconds));
            view.retry_after = Some(seconds);
            return Ok(refused(StatusCode::TOO_MANY_REQUESTS, &view));
        }
    };
    match register(&state, &headers, &req, town_id, lang).await {
        Ok(mut done) => {
            // The slots stay taken: an accepted request counts against the limits.
            drop(attempt);
            done.center = view.places.center(town_id).cloned();
            Ok(html_response(
                StatusCode::CREATED,
                None,
                render_receipt(lang, &done),
            ))
        }
        Err(e) => {
            attempt.release();
            Err(e)
        }
    }
}

/// The form again, with what was typed and why it was refused.
fn refused(status: StatusCode, view: &View) -> Response {
    html_response(status, view.retry_after, render_form(view))
}

/// Registers the request in the village's town as a case from the channel "online", tells
/// the town's leads, and returns what the receipt shows.
async fn register(
    state: &AppState,
    headers: &HeaderMap,
    req: &OnlineRequest,
    town_id: i64,
    lang: Lang,
) -> AppResult<Registered> {
    let (Some(kind), Some(category), Some(village_id)) = (req.kind, req.category, req.village_id)
    else {
        return Err(AppError::internal("an unchecked online request"));
    };
    let phone = req.phone.trim().to_owned();
    let case = RegisterCase::from_outside(&OutsideMatter {
        kind,
        category,
        village_id,
        facts: &req.facts,
        request: &req.request,
        name: &req.name,
        phone: &phone,
    });
    let done = register_from_outside(state, town_id, &case, RESIDENT, lang).await?;
    let (code, due_on) = (done.code.clone(), done.due_on);
    done.commit(state).await?;
    let lookup_url = lookup_url(state, headers, &code);
    let qr = qr_svg(&lookup_url)?;
    Ok(Registered {
        code,
        due_on,
        center: None,
        phone,
        lookup_url,
        qr,
    })
}

fn honeypot(lang: Lang) -> String {
    lang.pick(
        "提交未被受理:表单中一个应当留空的隐藏栏目被填写了,这通常是自动程序所为。如果是您本人提交,请重新打开本页填写,或直接致电中心。",
        "Not accepted: a hidden field that must stay empty was filled in, which is what automated programs do. If you sent this yourself, open the page again and fill it in, or call the center.",
    )
    .to_owned()
}

fn throttled(lang: Lang, seconds: u64) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    match lang {
        Lang::Zh => format!(
            "提交过于频繁:同一网络或同一手机号在一段时间内只能提交有限次数。请 {minutes} 分钟后再试;事情紧急的,请直接致电中心。您填写的内容已保留。"
        ),
        Lang::En => format!(
            "Too many requests: one network or one phone number may send only a few in a while. Please try again in {minutes} minutes; if it is urgent, call the center. What you typed is kept."
        ),
    }
}

fn too_large(lang: Lang) -> String {
    lang.pick(
        "提交的内容太长,未被受理。事情经过请不超过 2000 字,诉求不超过 500 字。",
        "What was sent is too long and was not accepted. Keep what happened under 2,000 characters and what you would like under 500.",
    )
    .to_owned()
}

/// A field's label, its input and, when refused, its error (linked by `aria-describedby`).
fn error_line(view: &View, field: &str) -> Markup {
    html! {
        @if let Some(m) = view.error_of(field) {
            p.error id={"req-" (field) "-error"} data-testid={"error-" (field)} { (m) }
        }
    }
}

fn render_form(view: &View) -> Markup {
    let l = view.lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let f = &view.form;
    let invalid = |field: &str| view.error_of(field).map(|_| "true");
    let described = |field: &str| view.error_of(field).map(|_| format!("req-{field}-error"));
    let content = html! {
        main data-testid="request-page" {
            h1 { (t("网上反映诉求", "Bring a matter to the center")) }
            p.muted { (t("遇到矛盾纠纷或困难,可以在这里告诉综治中心。提交后立即得到案件编号,凭编号和手机号后四位随时查询办理进度。", "Tell the governance center about a dispute or a problem. You get a case code at once, and can look up its progress with the code and the last four digits of your phone.")) }
            @if let Some(alert) = &view.alert {
                div.alert role="alert" data-testid="request-refused" { (alert) }
            }
            @if !view.fields.is_empty() {
                div.alert role="alert" data-testid="request-errors" {
                    (t("有几项需要修改,请看下面标红的地方。", "Some answers need mending: see the fields marked below."))
                }
            }
            form method="post" action="/request" novalidate data-testid="request-form" {
                input type="hidden" name="lang" value=(l.pick("zh", "en"));
                fieldset.choices aria-invalid=[invalid("kind")] aria-describedby=[described("kind")] {
                    legend { (t("您需要什么帮助?", "What kind of help do you need?")) }
                    @for kind in CaseKind::ALL {
                        label.choice {
                            input type="radio" name="kind" value=(kind.as_str())
                                checked[f.kind == kind.as_str()] data-testid={"kind-" (kind.as_str())};
                            span { (kind.plain(l)) }
                        }
                    }
                    (error_line(view, "kind"))
                }
                div.field {
                    label for="req-category" { (t("是哪方面的事?", "What is it about?")) }
                    select #req-category name="category" data-testid="category"
                        aria-invalid=[invalid("category")] aria-describedby=[described("category")] {
                        option value="" { (t("请选择", "Choose one")) }
                        @for c in Category::ALL {
                            option value=(c.as_str()) selected[f.category == c.as_str()] { (c.plain(l)) }
                        }
                    }
                    (error_line(view, "category"))
                }
                div.field {
                    label for="req-facts" { (t("发生了什么?", "What happened?")) }
                    p.hint #req-facts-hint { (t("请写清时间、地点和经过(10 至 2000 字)。不必写身份证号、银行卡号等信息。", "When, where and what happened (10 to 2,000 characters). No ID or bank card numbers are needed.")) }
                    textarea #req-facts name="facts" rows="6" maxlength=(ONLINE_FACTS_MAX) data-testid="facts"
                        aria-invalid=[invalid("facts")]
                        aria-describedby=(described("facts").map_or("req-facts-hint".to_owned(), |e| format!("req-facts-hint {e}"))) { (f.facts) }
                    (error_line(view, "facts"))
                }
                div.field {
                    label for="req-request" { (t("您希望怎样解决?(选填)", "What would you like done? (optional)")) }
                    textarea #req-request name="request" rows="3" maxlength=(ONLINE_REQUEST_MAX) data-testid="request"
                        aria-invalid=[invalid("request")] aria-describedby=[described("request")] { (f.request) }
                    (error_line(view, "request"))
                }
                div.field {
                    label for="req-village" { (t("事情发生在哪个村(社区)?", "Which village or community is it in?")) }
                    select #req-village name="village_id" data-testid="village"
                        aria-invalid=[invalid("village_id")] aria-describedby=[described("village_id")] {
                        option value="" { (t("请选择", "Choose one")) }
                        @for (town, villages) in &view.places.towns {
                            optgroup label=(town.name) {
                                @for v in villages {
                                    option value=(v.id) selected[f.village_id.trim() == v.id.to_string()] { (v.name) }
                                }
                            }
                        }
                    }
                    (error_line(view, "village_id"))
                }
                div.field {
                    label for="req-name" { (t("您的姓名或称呼", "Your name, or what to call you")) }
                    input #req-name name="name" type="text" autocomplete="name" maxlength=(ONLINE_NAME_MAX)
                        value=(f.name) data-testid="name"
                        aria-invalid=[invalid("name")] aria-describedby=[described("name")];
                    (error_line(view, "name"))
                }
                div.field {
                    label for="req-phone" { (t("联系电话", "Phone")) }
                    p.hint #req-phone-hint { (t("中心通过这个电话联系您;查询进度时要输入它的后四位。", "The center calls you on it; its last four digits let you look the matter up.")) }
                    input #req-phone name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength=(PHONE_MAX)
                        value=(f.phone) .mono data-testid="phone"
                        aria-invalid=[invalid("phone")]
                        aria-describedby=(described("phone").map_or("req-phone-hint".to_owned(), |e| format!("req-phone-hint {e}")));
                    (error_line(view, "phone"))
                }
                // The honeypot: off the screen, out of the tab order and hidden from screen
                // readers, so only a program fills it in.
                div.hp aria-hidden="true" {
                    label for="req-website" { "Website" }
                    input #req-website name="website" type="text" tabindex="-1" autocomplete="off" value="";
                }
                (consent(view))
                button type="submit" data-testid="send-request" { (t("提交", "Send")) }
            }
        }
    };
    layout(
        l,
        Tab::Request,
        t("网上反映诉求", "Bring a matter"),
        &[],
        &content,
    )
}

/// What the center does with the resident's personal information (个人信息保护法 Art. 14,
/// 17: who processes it, why, what, for how long, and how to exercise one's rights), and the
/// box to tick.
fn consent(view: &View) -> Markup {
    let l = view.lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    let invalid = view.error_of("consent").map(|_| "true");
    let described = view.error_of("consent").map(|_| "req-consent-error");
    let years = RETENTION_YEARS;
    html! {
        section.consent aria-labelledby="consent-title" data-testid="consent-text" {
            h2 #consent-title { (t("个人信息处理说明", "How your personal information is handled")) }
            ul {
                li { strong { (t("谁处理:", "Who: ")) } (t("您所选村(社区)所在乡镇的综治中心。", "the governance center of the town your village belongs to.")) }
                li { strong { (t("收集什么:", "What: ")) } (t("姓名或称呼、联系电话、所在村(社区),以及您写下的事情经过和诉求。", "your name, phone, village, and what you write about the matter.")) }
                li { strong { (t("做什么用:", "Why: ")) } (t("仅用于登记、调处和办理您反映的事项,联系您并回访办理结果;不用于其他目的,不向与办理无关的单位或个人提供。", "only to register, mediate and handle your matter, to contact you and to follow up on the result; never for anything else, and never given to anyone not handling it.")) }
                li { strong { (t("谁能看到:", "Who sees it: ")) } (t("中心和承办部门的工作人员;查询页面不显示您的姓名和电话。", "the staff of the center and of the office handling it; the status page never shows your name or phone.")) }
                li { strong { (t("保存多久:", "For how long: ")) }
                    @match l {
                        Lang::Zh => { (format!("办理期间保存;办结归档后随案卷按档案规定的期限保存(一般 {} 年,重大事项 {} 年或永久),期满销毁。", years[0], years[1])) },
                        Lang::En => { (format!("while the matter is handled; once archived, with its file for the archive's period (usually {} years, {} years or permanently for major matters), then destroyed.", years[0], years[1])) },
                    }
                }
                li { strong { (t("您的权利:", "Your rights: ")) } (t("您可以向中心查阅、复制、更正您的信息,或撤回同意(不影响撤回前已进行的办理)。", "you may ask the center to show, copy or correct your information, or withdraw your consent (which does not undo handling already done).")) }
            }
            @if !view.places.centers.is_empty() {
                p.hint { (t("各中心联系方式:", "The centers: ")) }
                ul.centers data-testid="consent-centers" {
                    @for (_, c) in &view.places.centers {
                        li { (c.name) " · " (c.address) " · " span.mono { (c.phone) } }
                    }
                }
            }
            div.check {
                input #req-consent name="consent" type="checkbox" value="yes"
                    checked[view.form.consent == "yes"] data-testid="consent"
                    aria-invalid=[invalid] aria-describedby=[described];
                label for="req-consent" { (t("我已阅读上述说明,同意中心按此处理我的个人信息。", "I have read the above and agree that the center handles my personal information so.")) }
            }
            (error_line(view, "consent"))
        }
    }
}

/// The receipt of a registered request: the code, the center, the expected date and the
/// look-up (link and QR code).
fn render_receipt(lang: Lang, done: &Registered) -> Markup {
    let l = lang;
    let t = |zh: &'static str, en: &'static str| l.pick(zh, en);
    // The crate's SVG document, inline: its XML declaration is left out.
    let svg = done
        .qr
        .find("<svg")
        .map_or(done.qr.as_str(), |i| &done.qr[i..]);
    let content = html! {
        main data-testid="request-done" {
            h1 { (t("您的诉求已受理登记", "Your matter is registered")) }
            div.result role="status" {
                p { (t("请记下案件编号。查询办理进度时,输入案件编号和您手机号的后四位。", "Keep the case code. To look the matter up, enter it and the last four digits of your phone.")) }
                p.code-big.mono data-testid="request-code" { (done.code) }
                dl.facts {
                    @if let Some(c) = &done.center {
                        div { dt { (t("受理中心", "Center")) } dd data-testid="request-center" { (c.name) } }
                        div { dt { (t("地址", "Address")) } dd { (c.address) } }
                        div { dt { (t("电话", "Phone")) } dd { a.mono href={"tel:" (c.phone)} { (c.phone) } } }
                    }
                    div { dt { (t("预计办结", "Expected by")) } dd data-testid="request-due" { (done.due_on.format("%Y-%m-%d")) } }
                    div { dt { (t("短信回执", "Text message")) } dd data-testid="request-sms" { (t("已发送至 ", "sent to ")) span.mono { (mask_phone(&done.phone)) } } }
                }
                figure.qr data-testid="request-qr" {
                    div role="img" aria-label=(t("查询二维码:扫码打开本案的办理进度查询", "QR code: opens this case's status look-up")) {
                        (PreEscaped(svg))
                    }
                    figcaption { (t("扫码或打开下面的链接查询进度", "Scan it, or open the link below, to look it up")) }
                }
                p { a.button href=(done.lookup_url) data-testid="request-lookup" { (t("查询办理进度", "Look up its progress")) } }
                p.hint { (t("中心工作人员会通过您留的电话与您联系。", "The center's staff will call you on the phone you gave.")) }
            }
        }
    };
    layout(
        l,
        Tab::Request,
        t("诉求已受理", "Matter registered"),
        &[],
        &content,
    )
}

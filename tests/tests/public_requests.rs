//! The resident's side beyond the look-up: online requests (`/request`: every bad input, the
//! consent, the honeypot, the size and rate limits, the case on the board and its receipt)
//! and satisfaction ratings (once only, closed cases only, on the case page and in the
//! center's figures), through the HTML pages and the JSON API.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::RETRY_AFTER;
use axum::http::{Method, Request};
use concord_tests::{TestApp, TestResponse, join_all};
use shared::api::{Board, NotificationList, PublicStatus, RateCase, SatisfactionFigures};
use shared::model::{CaseDetail, Channel, NotificationKind, Satisfaction, Stage};

const FORM: &str = "application/x-www-form-urlencoded";

/// The text directly inside the first element with `data-testid="{id}"`.
fn testid(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("data-testid=\"{id}\""))?;
    let rest = &body[at..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(rest[..rest.find('<')?].trim().to_owned())
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// A complete request from a village of town A, with `phone`.
fn request_form(app: &TestApp, phone: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "dispute".to_owned()),
        ("category", "labour".to_owned()),
        (
            "facts",
            "包工头王五拖欠我们三个月工资,共 12000 元,多次讨要未果。".to_owned(),
        ),
        ("request", "希望尽快结清工资".to_owned()),
        ("village_id", app.fixture.villages[0].to_string()),
        ("name", "李四".to_owned()),
        ("phone", phone.to_owned()),
        ("consent", "yes".to_owned()),
        ("website", String::new()),
    ]
}

fn body_of(fields: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    encode(&pairs)
}

async fn send_from(app: &TestApp, ip: &str, body: String) -> TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/request")
        .header("content-type", FORM)
        .header("x-forwarded-for", ip)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("{e}"));
    app.request(req).await
}

async fn send(app: &TestApp, body: String) -> TestResponse {
    app.send(Method::POST, "/request", None, Some(FORM), body)
        .await
}

/// The case a receipt page names, as the lead reads it.
async fn case_of_receipt(app: &TestApp, html: &str) -> CaseDetail {
    let code = testid(html, "request-code").unwrap_or_else(|| panic!("no code in {html}"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE code = $1")
        .bind(&code)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{code}: {e}"));
    app.read_case(&app.login("lead").await, id).await
}

#[tokio::test]
async fn the_form_offers_plain_choices_the_villages_and_the_consent() {
    let app = TestApp::new().await;
    let res = app.get("/request", None).await;
    res.expect_status(200);
    let html = res.text();
    assert!(!html.contains("<script"), "the page needs no script");
    assert!(html.contains("我和别人有矛盾纠纷"), "kinds in plain words");
    assert!(
        html.contains("工资被拖欠、工伤、劳动关系"),
        "categories in plain words"
    );
    assert!(html.contains(&format!("value=\"{}\"", app.fixture.villages[0])));
    assert!(html.contains(&format!("value=\"{}\"", app.fixture.village_b)));
    // PIPL Art. 17: who, what, why, for how long, the rights, and the centers to ask.
    let consent = &html[html.find("data-testid=\"consent-text\"").unwrap_or(0)..];
    for needed in [
        "谁处理",
        "收集什么",
        "做什么用",
        "保存多久",
        "10 年",
        "您的权利",
        "瓜州镇综治中心",
    ] {
        assert!(consent.contains(needed), "the notice lacks {needed}");
    }
    // The honeypot is out of sight, out of the tab order and hidden from screen readers.
    let hp = &html[html.find("class=\"hp\"").unwrap_or(0)..];
    assert!(
        hp.starts_with("class=\"hp\" aria-hidden=\"true\""),
        "{hp:.80}"
    );
    assert!(hp[..hp.find("</div>").unwrap_or(0)].contains("tabindex=\"-1\""));
    let en = app.get("/request?lang=en", None).await.text();
    assert!(en.contains("How your personal information is handled"));
}

#[tokio::test]
async fn a_request_becomes_an_online_case_on_the_board_with_its_receipt() {
    let app = TestApp::new().await;
    let res = send(&app, body_of(&request_form(&app, "13712345678"))).await;
    res.expect_status(201);
    let html = res.text();
    assert_eq!(
        testid(&html, "request-center").as_deref(),
        Some("瓜州镇综治中心")
    );
    assert!(testid(&html, "request-due").is_some());
    assert!(
        html.contains("137****5678"),
        "the text message's phone, masked"
    );
    assert!(html.contains("<svg"), "the QR code is inline");
    assert!(
        !html.contains("<?xml"),
        "the SVG's XML declaration is left out"
    );
    let case = case_of_receipt(&app, &html).await;
    assert_eq!(case.channel, Channel::Online);
    assert_eq!(case.stage, Stage::Registered);
    assert_eq!(case.village_id, app.fixture.villages[0]);
    assert!(case.summary.starts_with("包工头"), "{}", case.summary);
    assert_eq!(case.parties.len(), 1);
    assert_eq!(case.parties[0].phone.as_deref(), Some("13712345678"));
    let link = format!("/status?code={}", case.code);
    assert!(html.contains(&link), "the look-up link: {html}");

    // On the lead's board, in the registered column, and in the lead's notifications.
    let lead = app.login("lead").await;
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let card = board.cards.iter().find(|c| c.id == case.id);
    assert_eq!(card.map(|c| c.channel), Some(Channel::Online));
    let notes: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(
        notes
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::OnlineRequest && n.text.contains(&case.code))
    );
    // Town B's lead never sees it.
    let lead_b = app.login("lead_b").await;
    app.get(&format!("/api/cases/{}", case.id), Some(&lead_b))
        .await
        .expect_status(404);
    // The resident looks it up with the phone's last four digits; the timeline's first entry
    // is the resident's, by the system (no role shown).
    let status: PublicStatus = app
        .post_json(
            "/api/public/status",
            None,
            &serde_json::json!({"code": case.code, "phone_last4": "5678"}),
        )
        .await
        .json();
    assert_eq!(status.stage, Some(Stage::Registered));
    let timeline: Vec<shared::model::CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&lead))
        .await
        .json();
    assert_eq!(timeline[0].actor_name, "群众(网上)");
    assert!(timeline[0].by_system);
    // A clerk-registered case's entry is a person's.
    let clerk = app.login("clerk").await;
    let other = app.register(&clerk, &app.sample_case()).await;
    let timeline: Vec<shared::model::CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", other.id), Some(&lead))
        .await
        .json();
    assert!(!timeline[0].by_system);
}

#[tokio::test]
async fn every_bad_input_is_named_and_what_was_typed_is_kept() {
    let app = TestApp::new().await;
    let before = app.count("cases").await;
    // Nothing at all: each required field, and the consent.
    let res = send(&app, String::new()).await;
    res.expect_status(422);
    let html = res.text();
    for field in [
        "kind",
        "category",
        "facts",
        "village_id",
        "name",
        "phone",
        "consent",
    ] {
        assert!(
            testid(&html, &format!("error-{field}")).is_some(),
            "{field} is not named"
        );
    }
    assert_eq!(
        testid(&html, "error-consent").as_deref(),
        Some("请先阅读个人信息处理说明并勾选同意。")
    );
    assert!(html.contains("aria-describedby=\"req-phone-hint req-phone-error\""));
    assert!(html.contains("aria-invalid=\"true\""));

    // Values no form offers, a short account, a bad phone, a long request, no consent.
    let mut fields = request_form(&app, "12345");
    for (k, v) in &mut fields {
        match *k {
            "kind" => *v = "lottery".to_owned(),
            "category" => *v = "aliens".to_owned(),
            "facts" => *v = "工资没给".to_owned(),
            "request" => *v = "要".repeat(501),
            "village_id" => *v = "999999".to_owned(),
            "consent" => *v = String::new(),
            _ => {}
        }
    }
    let res = send(&app, body_of(&fields)).await;
    res.expect_status(422);
    let html = res.text();
    assert!(testid(&html, "error-kind").is_some_and(|m| m.contains("dispute")));
    assert!(testid(&html, "error-category").is_some());
    assert_eq!(
        testid(&html, "error-facts").as_deref(),
        Some("请多写几句,至少 10 个字。")
    );
    assert_eq!(
        testid(&html, "error-request").as_deref(),
        Some("不能超过 500 个字。")
    );
    assert!(testid(&html, "error-village_id").is_some());
    assert!(testid(&html, "error-phone").is_some());
    assert!(testid(&html, "error-consent").is_some());
    assert!(html.contains("value=\"李四\""), "the name typed is kept");
    assert!(
        html.contains(">工资没给</textarea>"),
        "the facts typed are kept"
    );

    // A village of no town (a town's id) and a line break in the name.
    let mut fields = request_form(&app, "13712345678");
    for (k, v) in &mut fields {
        match *k {
            "village_id" => *v = app.fixture.town_a.to_string(),
            "name" => *v = "李\n四".to_owned(),
            "facts" => *v = "字".repeat(2001),
            _ => {}
        }
    }
    let html = send(&app, body_of(&fields)).await.text();
    assert!(testid(&html, "error-village_id").is_some());
    assert!(testid(&html, "error-name").is_some());
    assert_eq!(
        testid(&html, "error-facts").as_deref(),
        Some("不能超过 2000 个字。")
    );
    // English when the form is English.
    let mut fields = request_form(&app, "13712345678");
    fields.retain(|(k, _)| *k != "consent");
    fields.push(("lang", "en".to_owned()));
    let html = send(&app, body_of(&fields)).await.text();
    assert_eq!(
        testid(&html, "error-consent").as_deref(),
        Some("Read how your personal information is handled and tick your consent first.")
    );
    assert_eq!(app.count("cases").await, before, "nothing was registered");
}

#[tokio::test]
async fn the_honeypot_a_huge_form_and_another_site_are_refused() {
    let app = TestApp::new().await;
    let before = app.count("cases").await;
    let mut fields = request_form(&app, "13712345678");
    for (k, v) in &mut fields {
        if *k == "website" {
            *v = "http://spam.example".to_owned();
        }
    }
    let res = send(&app, body_of(&fields)).await;
    res.expect_status(422);
    let html = res.text();
    assert!(
        testid(&html, "request-refused").is_some_and(|m| m.contains("应当留空")),
        "{html}"
    );
    let huge = format!("facts={}", "a".repeat(40 * 1024));
    let res = send(&app, huge).await;
    res.expect_status(413);
    assert!(testid(&res.text(), "request-refused").is_some_and(|m| m.contains("太长")));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/request")
        .header("content-type", FORM)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body_of(&request_form(&app, "13712345678"))))
        .unwrap_or_else(|e| panic!("{e}"));
    app.request(req).await.expect_status(403);
    assert_eq!(app.count("cases").await, before);
}

#[tokio::test]
async fn requests_sent_together_pass_the_address_limit_only_as_often_as_it_allows() {
    let app = Arc::new(
        TestApp::with_config(|c| {
            c.trust_proxy = true;
            c.online_max_per_address = 3;
        })
        .await,
    );
    let before = app.count("cases").await;
    // Forty at once from one address, each with its own phone.
    let answers = join_all((0..40).map(|i| {
        let app = Arc::clone(&app);
        async move {
            let body = body_of(&request_form(&app, &format!("1371234{:04}", 5000 + i)));
            send_from(&app, "203.0.113.7", body).await
        }
    }))
    .await;
    let created = answers.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!((created, refused.len()), (3, 37));
    for r in &refused {
        let retry: u64 = r
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(retry > 0, "a 429 says when to try again");
        let html = r.text();
        assert!(testid(&html, "request-refused").is_some_and(|m| m.contains("提交过于频繁")));
        assert!(html.contains("包工头王五"), "what was typed is kept");
    }
    assert_eq!(app.count("cases").await, before + 3);
    // Another address is not held up.
    let body = body_of(&request_form(&app, "13712349999"));
    send_from(&app, "198.51.100.2", body)
        .await
        .expect_status(201);
}

#[tokio::test]
async fn one_phone_is_limited_from_every_address_and_a_failed_request_counts_for_nothing() {
    let app = Arc::new(
        TestApp::with_config(|c| {
            c.trust_proxy = true;
            c.online_max_per_phone = 2;
        })
        .await,
    );
    // Refused input takes no slot.
    for _ in 0..3 {
        let mut fields = request_form(&app, "13712345678");
        fields.retain(|(k, _)| *k != "consent");
        send_from(&app, "203.0.113.1", body_of(&fields))
            .await
            .expect_status(422);
    }
    let answers = join_all((0..6).map(|i| {
        let app = Arc::clone(&app);
        async move {
            // The same phone, written two ways, from six addresses.
            let phone = if i % 2 == 0 {
                "13712345678"
            } else {
                "137 1234 5678"
            };
            send_from(
                &app,
                &format!("203.0.113.{}", 10 + i),
                body_of(&request_form(&app, phone)),
            )
            .await
        }
    }))
    .await;
    let created = answers.iter().filter(|r| r.status == 201).count();
    let refused = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!((created, refused), (2, 4));
}

#[tokio::test]
async fn a_rating_needs_a_closed_case_and_is_kept_once_of_many_sent_together() {
    let app = Arc::new(TestApp::new().await);
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let rate = |satisfaction, digits: &str, comment: &str| RateCase {
        code: case.code.clone(),
        phone_last4: digits.to_owned(),
        satisfaction,
        comment: comment.to_owned(),
    };
    // Open: refused, and it says why.
    let res = app
        .post_json(
            "/api/public/rating",
            None,
            &rate(Satisfaction::Satisfied, "5678", ""),
        )
        .await;
    res.expect_status(409);
    assert_eq!(res.error().message, "案件办结后才能评价。");
    // Wrong digits: the look-up's 404.
    app.close_case(
        &case,
        shared::model::Outcome::AgreementWritten,
        "双方达成协议",
    )
    .await;
    app.post_json(
        "/api/public/rating",
        None,
        &rate(Satisfaction::Satisfied, "0000", ""),
    )
    .await
    .expect_status(404);
    // A comment too long is named.
    let res = app
        .post_json(
            "/api/public/rating",
            None,
            &rate(Satisfaction::Satisfied, "5678", &"好".repeat(501)),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "comment");
    // A value no form offers is a 400 naming the field (the envelope).
    let res = app
        .post_raw(
            "/api/public/rating",
            None,
            &format!(
                r#"{{"code":"{}","phone_last4":"5678","satisfaction":"thrilled"}}"#,
                case.code
            ),
        )
        .await;
    assert!(matches!(res.status.as_u16(), 400 | 422), "{}", res.status);

    // Forty at once: exactly one is kept, the others are told it was rated.
    let answers = join_all((0..40).map(|i| {
        let app = Arc::clone(&app);
        let body = rate(
            if i % 2 == 0 {
                Satisfaction::Dissatisfied
            } else {
                Satisfaction::Satisfied
            },
            "5678",
            "调解员王五很耐心",
        );
        async move { app.post_json("/api/public/rating", None, &body).await }
    }))
    .await;
    let kept: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(kept.len(), 1);
    // The look-up counts an attempt before checking it, so of forty in flight at once those
    // past the address's limit are told to wait (429) rather than looked up: on PostgreSQL,
    // where each waits longer for the row, 30 of 40 were. Every other answer says it was rated.
    let rated = answers.iter().filter(|r| r.status == 409).count();
    let waited = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(rated + waited, 39, "rated {rated}, told to wait {waited}");
    assert!(rated >= 1);
    let given: PublicStatus = kept[0].json();
    let given = given.rating.unwrap_or_else(|| panic!("no rating"));
    for r in answers.iter().filter(|r| r.status == 409) {
        assert_eq!(r.error().message, "该案件已经评价过,每个案件只能评价一次。");
    }
    // On the case page, with its comment — masked for those who may not see the parties.
    let lead = app.login("lead").await;
    let detail = app.read_case(&lead, case.id).await;
    let rating = detail
        .rating
        .unwrap_or_else(|| panic!("no rating on the case"));
    assert_eq!(rating.satisfaction, given);
    assert_eq!(rating.comment.as_deref(), Some("调解员王五很耐心"));
    let status: PublicStatus = app
        .post_json(
            "/api/public/status",
            None,
            &serde_json::json!({"code": case.code, "phone_last4": "5678"}),
        )
        .await
        .json();
    assert_eq!(status.rating, Some(given));
    assert!(!status.may_rate());
    let timeline: Vec<shared::model::CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&lead))
        .await
        .json();
    let rated: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == shared::model::EventKind::Rated)
        .collect();
    assert_eq!(rated.len(), 1);
    // A dissatisfied resident is the lead's to follow up.
    let notes: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    let told = notes
        .items
        .iter()
        .any(|n| n.kind == NotificationKind::Rated && n.case_id == Some(case.id));
    assert_eq!(told, given == Satisfaction::Dissatisfied);
}

/// Sends the page's rating form for `code` with the fixture applicant's digits.
async fn rate_on_page(app: &TestApp, code: &str, more: &[(&str, &str)]) -> TestResponse {
    let mut pairs = vec![("code", code), ("phone_last4", "5678")];
    pairs.extend_from_slice(more);
    app.send(
        Method::POST,
        "/status/rate",
        None,
        Some(FORM),
        encode(&pairs),
    )
    .await
}

#[tokio::test]
async fn the_page_offers_the_rating_once_and_names_a_missing_choice() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let look = encode(&[("code", &case.code), ("phone_last4", "5678")]);
    let open = app
        .send(Method::POST, "/status", None, Some(FORM), look.clone())
        .await
        .text();
    assert!(
        !open.contains("data-testid=\"rating-form\""),
        "an open case is not rated"
    );
    app.close_case(
        &case,
        shared::model::Outcome::AgreementWritten,
        "已协商一致",
    )
    .await;
    let closed = app
        .send(Method::POST, "/status", None, Some(FORM), look)
        .await
        .text();
    assert!(closed.contains("data-testid=\"rating-form\""), "{closed}");
    for s in ["满意", "基本满意", "不满意"] {
        assert!(closed.contains(&format!("<span>{s}</span>")), "{s}");
    }
    // No choice: asked for, with the comment kept.
    let res = rate_on_page(&app, &case.code, &[("comment", "处理得很及时")]).await;
    res.expect_status(422);
    let html = res.text();
    assert_eq!(
        testid(&html, "rating-error").as_deref(),
        Some("必填。"),
        "{html}"
    );
    assert!(html.contains(">处理得很及时</textarea>"));
    // A value no form offers: named too, and nothing is kept.
    let res = rate_on_page(&app, &case.code, &[("satisfaction", "thrilled")]).await;
    res.expect_status(422);
    assert!(testid(&res.text(), "rating-error").is_some_and(|m| m.contains("satisfied")));
    let lead = app.login("lead").await;
    assert!(app.read_case(&lead, case.id).await.rating.is_none());
    // Rated: thanked, and the rating shown instead of the form.
    let res = rate_on_page(&app, &case.code, &[("satisfaction", "basically_satisfied")]).await;
    res.expect_status(200);
    let html = res.text();
    assert!(testid(&html, "rating-thanks").is_some());
    assert!(html.contains("data-satisfaction=\"basically_satisfied\""));
    assert!(!html.contains("data-testid=\"rating-form\""));
    // Again (another tab): 409, said on the page.
    let res = rate_on_page(&app, &case.code, &[("satisfaction", "dissatisfied")]).await;
    res.expect_status(409);
    assert!(testid(&res.text(), "rating-error").is_some_and(|m| m.contains("只能评价一次")));
    let lead = app.login("lead").await;
    let detail = app.read_case(&lead, case.id).await;
    assert_eq!(
        detail.rating.map(|r| r.satisfaction),
        Some(Satisfaction::Basic)
    );
}

#[tokio::test]
async fn ratings_count_in_the_centers_figures() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let case = app.register(&clerk, &app.sample_case()).await;
        app.close_case(&case, shared::model::Outcome::AgreementWritten, "已化解")
            .await;
        codes.push(case.code);
    }
    for (code, s) in codes.iter().zip([
        Satisfaction::Satisfied,
        Satisfaction::Basic,
        Satisfaction::Dissatisfied,
    ]) {
        app.post_json(
            "/api/public/rating",
            None,
            &RateCase {
                code: code.clone(),
                phone_last4: "5678".to_owned(),
                satisfaction: s,
                comment: String::new(),
            },
        )
        .await
        .expect_status(200);
    }
    let lead = app.login("lead").await;
    let figures: SatisfactionFigures = app
        .get("/api/figures/satisfaction", Some(&lead))
        .await
        .json();
    assert_eq!(
        (
            figures.closed,
            figures.rated,
            figures.satisfied,
            figures.basically_satisfied,
            figures.dissatisfied
        ),
        (4, 3, 1, 1, 1)
    );
    assert_eq!(figures.satisfaction_rate, Some(66.7));
    // A period: today counts; a period before today holds nothing.
    let today = app.state.config.today();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let f: SatisfactionFigures = app
        .get(
            &format!(
                "/api/figures/satisfaction?from={}&to={}",
                day(today),
                day(today)
            ),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!(f.rated, 3);
    let yesterday = today.pred_opt().unwrap_or(today);
    let f: SatisfactionFigures = app
        .get(
            &format!("/api/figures/satisfaction?to={}", day(yesterday)),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!((f.closed, f.satisfaction_rate), (0, None));
    // Town B's figures are its own.
    let lead_b = app.login("lead_b").await;
    let f: SatisfactionFigures = app
        .get("/api/figures/satisfaction", Some(&lead_b))
        .await
        .json();
    assert_eq!(f.closed, 0);
    // Bad periods and the wrong people.
    let res = app
        .get(
            &format!(
                "/api/figures/satisfaction?from={}&to={}",
                day(today),
                day(yesterday)
            ),
            Some(&lead),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "to");
    let res = app
        .get("/api/figures/satisfaction?from=yesterday", Some(&lead))
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "from");
    app.get("/api/figures/satisfaction", Some(&clerk))
        .await
        .expect_status(403);
    app.get("/api/figures/satisfaction", None)
        .await
        .expect_status(401);
}

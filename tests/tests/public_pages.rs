//! The server-rendered public status page (`/status`): small, scriptless, the same answers
//! and throttles as the API, every field error named, every step shown on a narrow phone.

use axum::body::Body;
use axum::http::Method;
use axum::http::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use concord_tests::{TestApp, TestResponse};
use shared::model::{CaseDetail, HandlerRef, Outcome, RiskFlag};
use shared::workflow::Command;

const FORM: &str = "application/x-www-form-urlencoded";

async fn submit(app: &TestApp, body: &str) -> TestResponse {
    app.send(Method::POST, "/status", None, Some(FORM), body.to_owned())
        .await
}

fn form(code: &str, digits: &str) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    out.append_pair("code", code)
        .append_pair("phone_last4", digits);
    out.finish()
}

/// The text directly inside the first element with `data-testid="{id}"`.
fn testid(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("data-testid=\"{id}\""))?;
    let rest = &body[at..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(rest[..rest.find('<')?].trim().to_owned())
}

async fn routed_case(app: &TestApp) -> CaseDetail {
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    app.move_case(
        &lead,
        &case,
        Command::Route {
            handler: HandlerRef::Department(app.fixture.judicial_office),
            cooperating: vec![],
            note: String::new(),
        },
    )
    .await
}

#[tokio::test]
async fn the_page_is_a_small_cacheable_form_that_fills_in_the_receipts_code() {
    let app = TestApp::new().await;
    let res = app.get("/status?code=2611-2345Z2", None).await;
    res.expect_status(200);
    let ct = res.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    assert_eq!(ct, Some("text/html; charset=utf-8"));
    let cache = res.headers.get(CACHE_CONTROL).and_then(|v| v.to_str().ok());
    assert_eq!(cache, Some("no-store"));
    let html = res.text();
    assert!(html.contains("value=\"2611-2345Z2\""), "{html}");
    assert!(!html.contains("<script"), "the page needs no script");
    // The code is filled in, so the digits field takes the focus.
    let digits = &html[html.find("id=\"status-last4\"").unwrap_or(0)..];
    assert!(digits[..digits.find('>').unwrap_or(0)].contains("autofocus"));

    // Its one style sheet is named by its content and cached for a year.
    let css = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/public-") && h.ends_with(".css"))
        .unwrap_or_else(|| panic!("no style sheet in {html}"))
        .to_owned();
    let sheet = app.get(&css, None).await;
    sheet.expect_status(200);
    let cache = sheet
        .headers
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok());
    assert_eq!(cache, Some("public, max-age=31536000, immutable"));
    // Far under the 100 KB the look-up may weigh in all (before compression, even).
    assert!(
        html.len() + sheet.body.len() < 16 * 1024,
        "page {} + css {} bytes",
        html.len(),
        sheet.body.len()
    );
}

#[tokio::test]
async fn what_the_query_puts_in_the_page_is_escaped() {
    let app = TestApp::new().await;
    let res = app
        .get("/status?code=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", None)
        .await;
    res.expect_status(200);
    let html = res.text();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
    // A query that is not a form at all still shows the page.
    app.get("/status?code=%ZZ&&&=", None)
        .await
        .expect_status(200);
}

#[tokio::test]
async fn an_empty_submit_asks_for_each_missing_field() {
    let app = TestApp::new().await;
    let res = submit(&app, "code=&phone_last4=").await;
    res.expect_status(422);
    let html = res.text();
    assert_eq!(testid(&html, "error-code").as_deref(), Some("必填。"));
    assert_eq!(
        testid(&html, "error-phone_last4").as_deref(),
        Some("必填。")
    );
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 2);
    assert!(!html.contains("status-not-found"), "{html}");
    // Only the digits missing: only they are asked for, and the code is kept.
    let html = submit(&app, "code=2611-2345Z2").await.text();
    assert!(testid(&html, "error-code").is_none());
    assert_eq!(
        testid(&html, "error-phone_last4").as_deref(),
        Some("必填。")
    );
    assert!(html.contains("value=\"2611-2345Z2\""));
    // Malformed input names the field too, in English when the page is in English.
    let res = submit(&app, "code=hello&phone_last4=12a4&lang=en").await;
    res.expect_status(422);
    let html = res.text();
    assert_eq!(
        testid(&html, "error-code").as_deref(),
        Some("Not a valid case code.")
    );
    // Nothing of the form at all, or not a form: the same named fields, never a crash.
    submit(&app, "").await.expect_status(422);
    submit(&app, "%%%").await.expect_status(422);
}

#[tokio::test]
async fn the_right_digits_show_the_stages_and_nothing_personal() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let res = submit(&app, &form(&case.code.to_lowercase(), "5678")).await;
    res.expect_status(200);
    let html = res.text();
    assert_eq!(testid(&html, "status-progress").as_deref(), Some("办理中"));
    assert_eq!(testid(&html, "status-unit").as_deref(), Some("司法所"));
    assert!(
        html.contains("data-step=\"routed\" data-state=\"current\""),
        "{html}"
    );
    assert!(
        html.contains("data-step=\"archived\" data-state=\"ahead\""),
        "{html}"
    );
    for secret in [
        "张三",
        "李四",
        "13812345678",
        "11010519491231002X",
        "排水沟",
    ] {
        assert!(!html.contains(secret), "{secret} leaked");
    }
    // In English, by the page's own switch.
    let html = submit(&app, &format!("{}&lang=en", form(&case.code, "5678")))
        .await
        .text();
    assert_eq!(
        testid(&html, "status-progress").as_deref(),
        Some("In progress")
    );
    assert!(html.contains("lang=\"en\""));
}

#[tokio::test]
async fn a_closed_case_shows_its_result_and_an_archived_one_is_finished() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let closed = app
        .close_case(
            &case,
            Outcome::AgreementWritten,
            "双方签订协议,赔偿 3000 元",
        )
        .await;
    let html = submit(&app, &form(&case.code, "5678")).await.text();
    assert_eq!(testid(&html, "status-progress").as_deref(), Some("已办结"));
    assert_eq!(
        testid(&html, "status-outcome").as_deref(),
        Some("达成书面调解协议")
    );
    assert!(!html.contains("3000"), "the agreement's amount leaked");
    assert!(html.contains("data-step=\"closed\" data-state=\"current\""));
    app.move_case(
        &lead,
        &closed,
        Command::Archive {
            retention_years: 10,
        },
    )
    .await;
    let html = submit(&app, &form(&case.code, "5678")).await.text();
    assert!(
        html.contains("data-step=\"archived\" data-state=\"done\""),
        "{html}"
    );
    assert_eq!(html.matches("data-state=\"done\"").count(), 5, "{html}");
    assert!(!html.contains("data-state=\"current\""));
}

#[tokio::test]
async fn wrong_codes_and_wrong_digits_get_the_same_answer() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let wrong_digits = submit(&app, &form(&case.code, "0000")).await;
    let last = if case.code.ends_with('2') { '3' } else { '2' };
    let other = format!("{}{last}", &case.code[..case.code.len() - 1]);
    let wrong_code = submit(&app, &form(&other, "5678")).await;
    for res in [&wrong_digits, &wrong_code] {
        res.expect_status(404);
    }
    // The pages differ only in the code typed back into the field.
    assert_eq!(
        wrong_digits.text().replace(&case.code, "CODE"),
        wrong_code.text().replace(&other, "CODE")
    );
    assert!(testid(&wrong_code.text(), "status-not-found").is_some());
}

#[tokio::test]
async fn restricted_matters_show_only_their_progress() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut minors = app.sample_case();
    minors.risk_flags = vec![RiskFlag::Minors];
    let minors = app.register(&clerk, &minors).await;
    let html = submit(&app, &form(&minors.code, "5678")).await.text();
    assert_eq!(testid(&html, "status-progress").as_deref(), Some("已受理"));
    assert!(html.contains("data-testid=\"status-restricted\""));
    for hidden in [
        "stepper",
        "status-unit",
        "status-due",
        "status-on-time",
        "status-notes",
    ] {
        assert!(
            !html.contains(&format!("data-testid=\"{hidden}\"")),
            "{hidden} shown"
        );
    }
}

#[tokio::test]
async fn guesses_are_throttled_on_the_page_as_in_the_api() {
    let app = TestApp::with_config(|c| c.status_max_failures = 3).await;
    let case = routed_case(&app).await;
    for _ in 0..3 {
        submit(&app, &form(&case.code, "0000"))
            .await
            .expect_status(404);
    }
    let res = submit(&app, &form(&case.code, "5678")).await;
    res.expect_status(429);
    let message = testid(&res.text(), "status-error").unwrap_or_default();
    assert!(message.contains("请"), "{message}");
    // The API shares the count: it is limited too.
    let api = app
        .post_json(
            "/api/public/status",
            None,
            &shared::api::StatusLookup {
                code: case.code.clone(),
                phone_last4: "5678".into(),
            },
        )
        .await;
    api.expect_status(429);
}

#[tokio::test]
async fn a_form_from_another_site_is_refused_and_a_large_one_too() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/status")
        .header(CONTENT_TYPE, FORM)
        .header("origin", "https://evil.example")
        .header("host", "concord.example")
        .body(Body::from(form(&case.code, "5678")))
        .unwrap_or_else(|e| panic!("{e}"));
    app.request(req).await.expect_status(403);
    let big = format!("{}&pad={}", form(&case.code, "5678"), "x".repeat(9000));
    submit(&app, &big).await.expect_status(413);
}

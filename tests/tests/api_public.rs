//! The public status look-up: right answers, identical refusals, restricted matters, and the
//! rate limit.

use concord_tests::TestApp;
use shared::ErrorKind;
use shared::api::{NoteRequest, PublicProgress, PublicStatus, StatusLookup};
use shared::model::{CaseDetail, Category, HandlerRef, RiskFlag, Stage};
use shared::workflow::Command;

fn lookup(code: &str, digits: &str) -> StatusLookup {
    StatusLookup {
        code: code.to_owned(),
        phone_last4: digits.to_owned(),
    }
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
async fn the_right_code_and_digits_show_progress_and_nothing_personal() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let lead = app.login("lead").await;
    for (text, public) in [
        ("已联系双方,约定调解时间", true),
        ("内部:当事人情绪激动", false),
    ] {
        app.post_json(
            &format!("/api/cases/{}/notes", case.id),
            Some(&lead),
            &NoteRequest {
                text: text.to_owned(),
                public,
            },
        )
        .await
        .expect_status(201);
    }
    // Typed loosely: lower case, no dash.
    let typed = case.code.to_lowercase().replace('-', "");
    let res = app
        .post_json("/api/public/status", None, &lookup(&typed, "5678"))
        .await;
    res.expect_status(200);
    let status: PublicStatus = res.json();
    assert_eq!(status.code, case.code);
    assert!(!status.restricted);
    assert_eq!(status.progress, PublicProgress::InProgress);
    assert_eq!(status.stage, Some(Stage::Routed));
    assert_eq!(status.registered_on, app.state.config.today());
    assert_eq!(status.routed_on, Some(app.state.config.today()));
    assert_eq!(status.handling_on, None);
    assert_eq!(status.handling_unit.as_deref(), Some("司法所"));
    assert_eq!(status.on_time, Some(true));
    let notes: Vec<&str> = status.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes, vec!["已联系双方,约定调解时间"]);
    let body = res.text();
    for secret in [
        "张三",
        "李四",
        "13812345678",
        "11010519491231002X",
        "排水沟",
    ] {
        assert!(!body.contains(secret), "{secret} leaked: {body}");
    }
}

#[tokio::test]
async fn a_wrong_code_and_wrong_digits_give_identical_answers() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let wrong_digits = app
        .post_json("/api/public/status", None, &lookup(&case.code, "0000"))
        .await;
    // The respondent's phone is not a key either.
    let respondent = app
        .post_json("/api/public/status", None, &lookup(&case.code, "4321"))
        .await;
    let other_code = if case.code.ends_with('2') {
        format!("{}3", &case.code[..case.code.len() - 1])
    } else {
        format!("{}2", &case.code[..case.code.len() - 1])
    };
    let wrong_code = app
        .post_json("/api/public/status", None, &lookup(&other_code, "5678"))
        .await;
    for res in [&wrong_digits, &respondent, &wrong_code] {
        res.expect_status(404);
        assert_eq!(res.error().kind, ErrorKind::NotFound);
    }
    assert_eq!(wrong_digits.body, wrong_code.body);
    assert_eq!(wrong_digits.body, respondent.body);
}

#[tokio::test]
async fn malformed_look_ups_name_the_field() {
    let app = TestApp::new().await;
    let res = app
        .post_json("/api/public/status", None, &lookup("not a code", "5678"))
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "code");
    let res = app
        .post_json("/api/public/status", None, &lookup("2611-2345Z2", "12a4"))
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "phone_last4");
}

#[tokio::test]
async fn restricted_matters_show_only_their_progress() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut family = app.sample_case();
    family.category = Category::MarriageFamily;
    let family = app.register(&clerk, &family).await;
    let mut minors = app.sample_case();
    minors.risk_flags = vec![RiskFlag::Minors];
    let minors = app.register(&clerk, &minors).await;
    for case in [family, minors] {
        let status: PublicStatus = app
            .post_json("/api/public/status", None, &lookup(&case.code, "5678"))
            .await
            .json();
        assert!(status.restricted);
        assert_eq!(status.progress, PublicProgress::Received);
        assert_eq!(status.stage, None);
        assert_eq!(status.kind, None);
        assert_eq!(status.handling_unit, None);
        assert_eq!(status.on_time, None);
        assert!(status.notes.is_empty());
    }
}

#[tokio::test]
async fn repeated_failed_look_ups_are_rate_limited() {
    let app = TestApp::with_config(|c| c.status_max_failures = 3).await;
    let case = routed_case(&app).await;
    for _ in 0..3 {
        app.post_json("/api/public/status", None, &lookup(&case.code, "0000"))
            .await
            .expect_status(404);
    }
    // Now even the right answer waits.
    let res = app
        .post_json("/api/public/status", None, &lookup(&case.code, "5678"))
        .await;
    res.expect_status(429);
    assert_eq!(res.error().kind, ErrorKind::RateLimited);
}

#[tokio::test]
async fn successful_look_ups_are_not_limited() {
    let app = TestApp::with_config(|c| c.status_max_failures = 3).await;
    let case = routed_case(&app).await;
    for _ in 0..10 {
        app.post_json("/api/public/status", None, &lookup(&case.code, "5678"))
            .await
            .expect_status(200);
    }
}

#[tokio::test]
async fn the_status_follows_every_change_to_the_case() {
    let app = TestApp::new().await;
    let case = routed_case(&app).await;
    let question = lookup(&case.code, "5678");
    let ask = || app.post_json("/api/public/status", None, &question);
    let before: PublicStatus = ask().await.json();
    assert!(before.notes.is_empty());
    let lead = app.login("lead").await;
    app.post_json(
        &format!("/api/cases/{}/notes", case.id),
        Some(&lead),
        &NoteRequest {
            text: "已受理,正在协调".to_owned(),
            public: true,
        },
    )
    .await
    .expect_status(201);
    let handling = app.move_case(&lead, &case, Command::Accept).await;
    let after: PublicStatus = ask().await.json();
    assert_eq!(after.notes.len(), 1);
    assert_eq!(after.stage, Some(Stage::InHandling));
    assert_eq!(after.handling_on, Some(app.state.config.today()));
    assert_eq!(handling.stage, Stage::InHandling);
}

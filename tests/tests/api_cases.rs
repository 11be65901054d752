//! Registering and reading cases: who may, what is checked, what is masked and logged, and
//! that a refused request leaves the database as it was.

use concord_tests::TestApp;
use serde_json::json;
use shared::api::{ClosedOnTheSpot, Page};
use shared::deadline::{ClockRule, Track};
use shared::model::{CaseCard, CaseDetail, CaseEvent, EventKind, Outcome, Stage};
use shared::validate::normalize_case_code;
use shared::{ErrorKind, Reason};

/// Registers `body` (raw JSON) as the clerk and asserts it is refused with `status`, naming
/// `field`, and that nothing was written.
async fn refused(app: &TestApp, body: &str, status: u16, field: &str) -> shared::ApiError {
    let clerk = app.login("clerk").await;
    let before = app.snapshot().await;
    let res = app.post_raw("/api/cases", Some(&clerk), body).await;
    res.expect_status(status);
    let err = res.error();
    if !field.is_empty() {
        assert!(
            err.fields.iter().any(|f| f.field == field),
            "expected field {field}, got {err:?}"
        );
    }
    assert_eq!(app.snapshot().await, before, "the database changed");
    err
}

fn sample_json(app: &TestApp) -> serde_json::Value {
    serde_json::to_value(app.sample_case()).unwrap_or_default()
}

#[tokio::test]
async fn a_clerk_registers_a_case_with_a_code_a_clock_and_a_timeline() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    assert_eq!(case.stage, Stage::Registered);
    assert_eq!(
        normalize_case_code(&case.code).as_deref(),
        Some(case.code.as_str())
    );
    assert_eq!(case.town_id, app.fixture.town_a);
    assert_eq!(case.version, 1);
    assert_eq!(case.registered_by, "王受理");
    assert_eq!(case.place, "渠口村 / 渠口村一片 / 渠口村一片一组");
    assert_eq!(case.clock.track, Track::PeoplesMediation);
    let rule = ClockRule::default_for(case.kind, case.category, case.channel);
    let today = app.state.config.today();
    assert_eq!(
        case.due_on,
        rule.due_from(today, &shared::calendar::Calendar::official())
    );
    assert_eq!(case.due_explained.due_on, case.due_on);
    assert_eq!(case.parties.len(), 2);
    assert!(!case.parties_masked, "the clerk sees the parties");
    assert_eq!(case.parties[0].phone.as_deref(), Some("13812345678"));

    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&clerk))
        .await
        .json();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Registered);
    assert_eq!(events[0].to_stage, Some(Stage::Registered));
    assert_eq!(events[0].actor_name, "王受理");

    let read = app.read_case(&clerk, case.id).await;
    assert_eq!(read, case);
}

#[tokio::test]
async fn the_area_is_filled_in_from_the_group() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut body = app.sample_case();
    body.area_id = None;
    body.group_id = Some(app.fixture.groups[1][1][0]);
    body.village_id = app.fixture.villages[1];
    let case = app.register(&clerk, &body).await;
    assert_eq!(case.area_id, Some(app.fixture.areas[1][1]));
}

#[tokio::test]
async fn a_matter_resolved_on_the_spot_is_registered_closed_with_both_events() {
    let app = TestApp::new().await;
    let grid = app.login("grid").await;
    let mut body = app.sample_case();
    body.closed_on_the_spot = Some(ClosedOnTheSpot {
        outcome: Outcome::AgreementOral,
        summary: "现场说和,双方同意疏通".to_owned(),
    });
    let case = app.register(&grid, &body).await;
    assert_eq!(case.stage, Stage::Closed);
    assert_eq!(case.outcome, Some(Outcome::AgreementOral));
    assert!(case.closed_at.is_some());
    assert!(
        case.parties_masked,
        "a grid worker never sees parties unmasked"
    );
    let lead = app.login("lead").await;
    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&lead))
        .await
        .json();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![EventKind::Registered, EventKind::ClosedOnTheSpot]
    );
    assert_eq!(events[1].from_stage, Some(Stage::Registered));
    assert_eq!(events[1].to_stage, Some(Stage::Closed));
}

#[tokio::test]
async fn closing_on_the_spot_without_a_resolved_outcome_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["closed_on_the_spot"] = json!({"outcome": "terminated", "summary": "x"});
    refused(&app, &body.to_string(), 422, "closed_on_the_spot.outcome").await;
}

#[tokio::test]
async fn roles_that_may_not_register_are_refused() {
    let app = TestApp::new().await;
    for user in ["mediator", "police", "leader", "admin"] {
        let cookie = app.login(user).await;
        let res = app
            .post_json("/api/cases", Some(&cookie), &app.sample_case())
            .await;
        res.expect_status(403);
        assert_eq!(res.error().kind, ErrorKind::Forbidden, "{user}");
    }
    assert_eq!(app.count("cases").await, 0);
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_envelope() {
    let app = TestApp::new().await;
    let err = refused(&app, r#"{"kind": "dispute", "#, 400, "").await;
    assert_eq!(err.kind, ErrorKind::BadRequest);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_in_the_envelope() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let res = app
        .send(
            axum::http::Method::POST,
            "/api/cases",
            Some(&clerk),
            Some("text/plain"),
            "hello",
        )
        .await;
    res.expect_status(400);
    assert_eq!(res.error().kind, ErrorKind::BadRequest);
}

#[tokio::test]
async fn a_wrong_type_names_the_field() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["village_id"] = json!("渠口村");
    let err = refused(&app, &body.to_string(), 422, "village_id").await;
    assert_eq!(
        err.fields[0].reason,
        Reason::WrongType {
            expected: "integer".to_owned()
        }
    );
}

#[tokio::test]
async fn a_wrong_type_inside_a_party_names_the_path() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["parties"][1]["age"] = json!("forty");
    refused(&app, &body.to_string(), 422, "parties[1].age").await;
}

#[tokio::test]
async fn an_unknown_enum_value_names_the_field_and_the_allowed_values() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["kind"] = json!("teleport");
    let err = refused(&app, &body.to_string(), 422, "kind").await;
    match &err.fields[0].reason {
        Reason::UnknownValue { allowed } => assert!(allowed.contains(&"dispute".to_owned())),
        other => panic!("unexpected reason {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_field_names_the_field() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    if let Some(map) = body.as_object_mut() {
        map.remove("summary");
    }
    let err = refused(&app, &body.to_string(), 422, "summary").await;
    assert_eq!(err.fields[0].reason, Reason::Required);
    let mut body = sample_json(&app);
    if let Some(map) = body["parties"][0].as_object_mut() {
        map.remove("name");
    }
    refused(&app, &body.to_string(), 422, "parties[0].name").await;
}

#[tokio::test]
async fn a_too_long_summary_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["summary"] = json!("长".repeat(101));
    let err = refused(&app, &body.to_string(), 422, "summary").await;
    assert_eq!(err.fields[0].reason, Reason::TooLong { max: 100 });
}

#[tokio::test]
async fn an_invalid_phone_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["parties"][1]["phone"] = json!("12345");
    let err = refused(&app, &body.to_string(), 422, "parties[1].phone").await;
    assert_eq!(err.fields[0].reason, Reason::InvalidPhone);
}

#[tokio::test]
async fn a_case_without_an_applicant_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["parties"] = json!([{"side": "respondent", "name": "李四"}]);
    let err = refused(&app, &body.to_string(), 422, "parties").await;
    assert_eq!(err.fields[0].reason, Reason::NeedsApplicant);
}

#[tokio::test]
async fn a_village_of_another_town_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["village_id"] = json!(app.fixture.village_b);
    body["area_id"] = json!(null);
    body["group_id"] = json!(null);
    let err = refused(&app, &body.to_string(), 422, "village_id").await;
    assert_eq!(err.fields[0].reason, Reason::NoSuchItem);
}

#[tokio::test]
async fn an_area_of_another_village_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["area_id"] = json!(app.fixture.areas[1][0]);
    body["group_id"] = json!(null);
    let err = refused(&app, &body.to_string(), 422, "area_id").await;
    assert_eq!(err.fields[0].reason, Reason::NotWithin);
}

#[tokio::test]
async fn a_group_of_another_area_is_refused() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["group_id"] = json!(app.fixture.groups[0][1][0]);
    let err = refused(&app, &body.to_string(), 422, "group_id").await;
    assert_eq!(err.fields[0].reason, Reason::NotWithin);
}

#[tokio::test]
async fn a_unit_that_is_not_a_village_is_refused_as_village() {
    let app = TestApp::new().await;
    let mut body = sample_json(&app);
    body["village_id"] = json!(app.fixture.areas[0][0]);
    body["area_id"] = json!(null);
    body["group_id"] = json!(null);
    refused(&app, &body.to_string(), 422, "village_id").await;
    let mut body = sample_json(&app);
    body["village_id"] = json!(999_999);
    refused(&app, &body.to_string(), 422, "village_id").await;
}

#[tokio::test]
async fn validation_messages_follow_accept_language() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut body = sample_json(&app);
    body["summary"] = json!("");
    let req = axum::http::Request::post("/api/cases")
        .header("cookie", &clerk)
        .header("content-type", "application/json")
        .header("accept-language", "en")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap_or_default();
    let err = app.request(req).await.error();
    assert_eq!(err.field_message("summary"), Some("Required."));
    assert!(err.message.contains("not valid"), "{}", err.message);
}

#[tokio::test]
async fn a_grid_worker_reads_masked_parties_and_no_access_is_logged() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let logged_before = app.count("access_log").await;
    let grid = app.login("grid").await;
    let read = app.read_case(&grid, case.id).await;
    assert!(read.parties_masked);
    assert_eq!(read.parties[0].name, "张某");
    assert_eq!(read.parties[0].phone.as_deref(), Some("138****5678"));
    assert_eq!(
        read.parties[0].id_number.as_deref(),
        Some("1101**********002X")
    );
    assert_eq!(read.parties[0].address.as_deref(), Some("***"));
    assert_eq!(read.parties[0].age, None);
    assert!(read.parties.iter().all(|p| p.masked));
    assert_eq!(app.count("access_log").await, logged_before);
}

#[tokio::test]
async fn the_lead_reading_unmasked_parties_writes_an_access_log_row() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let lead = app.login("lead").await;
    let before = app.count("access_log").await;
    let read = app.read_case(&lead, case.id).await;
    assert!(!read.parties_masked);
    assert_eq!(read.parties[0].name, "张三");
    assert_eq!(app.count("access_log").await, before + 1);
    let (case_id, user_id, what): (i64, i64, String) =
        sqlx::query_as("SELECT case_id, user_id, what FROM access_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap_or_default();
    assert_eq!(
        (case_id, user_id, what.as_str()),
        (case.id, app.fixture.lead, "parties")
    );
}

/// Many unmasked reads at once: each is answered only after its access-log row (and those of
/// every read answered before it) is committed, and none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_unmasked_reads_are_each_logged_before_they_are_answered() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    let app = Arc::new(TestApp::new().await);
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let lead = Arc::new(app.login("lead").await);
    let before = app.count("access_log").await;
    let answered = Arc::new(AtomicI64::new(0));
    let reads: i64 = 60;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..reads {
        let (app, lead, answered) = (Arc::clone(&app), Arc::clone(&lead), Arc::clone(&answered));
        tasks.spawn(async move {
            let res = app
                .get(&format!("/api/cases/{}", case.id), Some(lead.as_str()))
                .await;
            res.expect_status(200);
            let at_least = answered.fetch_add(1, Ordering::SeqCst) + 1;
            let logged = app.count("access_log").await - before;
            assert!(
                logged >= at_least,
                "{at_least} reads answered but only {logged} logged"
            );
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    }
    assert_eq!(app.count("access_log").await, before + reads);
}

#[tokio::test]
async fn another_towns_lead_cannot_see_or_touch_the_case() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let lead_b = app.login("lead_b").await;
    for path in [
        format!("/api/cases/{}", case.id),
        format!("/api/cases/{}/timeline", case.id),
    ] {
        let res = app.get(&path, Some(&lead_b)).await;
        res.expect_status(404);
        assert_eq!(res.error().kind, ErrorKind::NotFound);
    }
    let before = app.snapshot().await;
    let res = app
        .transition(
            &lead_b,
            case.id,
            case.version,
            shared::workflow::Command::Accept,
        )
        .await;
    res.expect_status(404);
    let note = app
        .post_json(
            &format!("/api/cases/{}/notes", case.id),
            Some(&lead_b),
            &shared::api::NoteRequest {
                text: "x".into(),
                public: false,
            },
        )
        .await;
    note.expect_status(404);
    assert_eq!(app.snapshot().await, before);
    let list: Page<CaseCard> = app.get("/api/cases", Some(&lead_b)).await.json();
    assert_eq!(list.total, 0);
}

#[tokio::test]
async fn unknown_or_malformed_case_ids_are_404() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    for path in ["/api/cases/999999", "/api/cases/abc", "/api/cases/-1"] {
        let res = app.get(path, Some(&lead)).await;
        res.expect_status(404);
        assert_eq!(res.error().kind, ErrorKind::NotFound, "{path}");
    }
}

#[tokio::test]
async fn the_list_pages_newest_first_with_a_total() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = app.sample_case();
        body.summary = format!("第{i}件");
        ids.push(app.register(&clerk, &body).await.id);
    }
    let page: Page<CaseCard> = app
        .get("/api/cases?per_page=2&page=1", Some(&clerk))
        .await
        .json();
    assert_eq!((page.total, page.page, page.per_page), (5, 1, 2));
    assert_eq!(
        page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3]]
    );
    let last: Page<CaseCard> = app
        .get("/api/cases?per_page=2&page=3", Some(&clerk))
        .await
        .json();
    assert_eq!(
        last.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let beyond: Page<CaseCard> = app
        .get("/api/cases?per_page=2&page=9", Some(&clerk))
        .await
        .json();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 5);
    let clamped: Page<CaseCard> = app
        .get("/api/cases?per_page=100000", Some(&clerk))
        .await
        .json();
    assert_eq!(clamped.per_page, shared::api::PER_PAGE_MAX);
    let searched: Page<CaseCard> = app
        .get("/api/cases?q=%E7%AC%AC3", Some(&clerk))
        .await
        .json();
    assert_eq!(
        searched.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[3]]
    );
}

#[tokio::test]
async fn a_bad_query_parameter_names_the_parameter() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    for (path, field) in [
        ("/api/cases?kind=teleport", "kind"),
        ("/api/cases?page=first", "page"),
        ("/api/board?overdue=maybe", "overdue"),
        ("/api/board?handler=judge:1", "handler"),
    ] {
        let res = app.get(path, Some(&lead)).await;
        assert!(res.status.is_client_error(), "{path}: {}", res.status);
        let err = res.error();
        assert!(
            err.fields.iter().any(|f| f.field == field),
            "{path}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_registered_case_is_found_by_its_code_in_the_list() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case: CaseDetail = app.register(&clerk, &app.sample_case()).await;
    app.register(&clerk, &app.sample_case()).await;
    let page: Page<CaseCard> = app
        .get(
            &format!("/api/cases?q={}", case.code.to_lowercase()),
            Some(&clerk),
        )
        .await
        .json();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].code, case.code);
}

#[tokio::test]
async fn list_filters_narrow_the_cases_like_the_board() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let neighbour = app.register(&clerk, &app.sample_case()).await;
    let mut labour = app.sample_case();
    labour.category = shared::model::Category::Labour;
    labour.risk = shared::model::RiskLevel::High;
    labour.village_id = app.fixture.villages[1];
    labour.area_id = None;
    labour.group_id = None;
    let labour = app.register(&clerk, &labour).await;
    let routed = app
        .move_case(
            &lead,
            &labour,
            shared::workflow::Command::Route {
                handler: shared::model::HandlerRef::Mediator(app.fixture.mediator2),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let yesterday = (app.state.config.today() - chrono::Duration::days(1)).format("%Y-%m-%d");
    app.execute(&format!(
        "UPDATE cases SET due_on = '{yesterday}' WHERE id = {}",
        neighbour.id
    ))
    .await;
    let ids = |page: Page<CaseCard>| page.items.iter().map(|c| c.id).collect::<Vec<_>>();
    let get = |q: String| {
        let app = &app;
        let lead = &lead;
        async move {
            app.get(&format!("/api/cases{q}"), Some(lead))
                .await
                .json::<Page<CaseCard>>()
        }
    };
    assert_eq!(ids(get("?category=labour".into()).await), vec![routed.id]);
    assert_eq!(
        ids(get("?risk=high&kind=dispute".into()).await),
        vec![routed.id]
    );
    assert_eq!(
        ids(get("?stage=registered".into()).await),
        vec![neighbour.id]
    );
    assert_eq!(ids(get("?channel=window".into()).await).len(), 2);
    assert_eq!(
        ids(get(format!("?village={}", app.fixture.villages[1])).await),
        vec![routed.id]
    );
    assert_eq!(
        ids(get(format!("?handler=mediator:{}", app.fixture.mediator2)).await),
        vec![routed.id]
    );
    assert_eq!(ids(get("?overdue=true".into()).await), vec![neighbour.id]);
    assert!(
        ids(get("?mine=true".into()).await).is_empty(),
        "the lead handles nothing"
    );
    let mediator2 = app.login("mediator2").await;
    let mine: Page<CaseCard> = app
        .get("/api/cases?mine=true", Some(&mediator2))
        .await
        .json();
    assert_eq!(ids(mine), vec![routed.id]);
    let police = app.login("police").await;
    let theirs: Page<CaseCard> = app.get("/api/cases?mine=true", Some(&police)).await.json();
    assert!(theirs.items.is_empty());
    // Search text with LIKE wildcards is taken literally.
    assert!(ids(get("?q=%25".into()).await).is_empty());
    assert!(ids(get("?q=_".into()).await).is_empty());
}

#[tokio::test]
async fn many_simultaneous_registrations_all_succeed() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let grid = app.login("grid").await;
    let body = app.sample_case();
    let requests = (0..24).map(|i| {
        let cookie = if i % 2 == 0 { &clerk } else { &grid };
        app.post_json("/api/cases", Some(cookie), &body)
    });
    let answers = concord_tests::join_all(requests).await;
    for res in &answers {
        res.expect_status(201);
    }
    assert_eq!(app.count("cases").await, 24);
    let codes: std::collections::HashSet<String> = answers
        .iter()
        .map(|r| r.json::<CaseDetail>().code)
        .collect();
    assert_eq!(codes.len(), 24, "codes are unique");
}

#[tokio::test]
async fn a_server_failure_answers_500_without_internals() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    app.execute("DROP TABLE access_log").await;
    let lead = app.login("lead").await;
    let res = app
        .get(&format!("/api/cases/{}", case.id), Some(&lead))
        .await;
    res.expect_status(500);
    let err = res.error();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert_eq!(err.message, ErrorKind::Internal.message(shared::Lang::Zh));
    assert!(
        !res.text().to_lowercase().contains("access_log"),
        "{}",
        res.text()
    );
}

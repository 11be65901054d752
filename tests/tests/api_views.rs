//! The board's views: the ready-made filters (awaiting acceptance, escalated, urged and not
//! acknowledged) on the board and the list alike, a person's own named views — theirs alone,
//! each refusal naming its field, at most 20 even when many saves arrive together — the
//! cooperating units' names and the escalation on the card, and the handler's inbox: a case
//! routed to a person is new to them until they open it.

use axum::body::Body;
use axum::http::Method;
use chrono::{Duration, Utc};
use concord_tests::{TestApp, join_all};
use serde_json::json;
use shared::api::{Board, CaseFilter, NewCases, NotificationList, Page, SavedView, SavedViews};
use shared::model::{BoardView, CaseCard, CaseDetail, Escalation, HandlerRef, Stage};
use shared::workflow::Command;

fn route_to(handler: HandlerRef, cooperating: Vec<HandlerRef>) -> Command {
    Command::Route {
        handler,
        cooperating,
        note: String::new(),
    }
}

async fn board_ids(app: &TestApp, cookie: &str, query: &str) -> Vec<i64> {
    let board: Board = app
        .get(&format!("/api/board?{query}"), Some(cookie))
        .await
        .json();
    let mut ids: Vec<i64> = board.cards.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids
}

async fn list_ids(app: &TestApp, cookie: &str, query: &str) -> Vec<i64> {
    let page: Page<CaseCard> = app
        .get(&format!("/api/cases?{query}"), Some(cookie))
        .await
        .json();
    let mut ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids
}

async fn card(app: &TestApp, cookie: &str, id: i64) -> Option<CaseCard> {
    let board: Board = app.get("/api/board", Some(cookie)).await.json();
    board.cards.into_iter().find(|c| c.id == id)
}

async fn new_cases(app: &TestApp, cookie: &str) -> Vec<i64> {
    let res = app.get("/api/board/new", Some(cookie)).await;
    res.expect_status(200);
    res.json::<NewCases>().cases
}

async fn delete(app: &TestApp, path: &str, cookie: &str) -> u16 {
    app.send(Method::DELETE, path, Some(cookie), None, Body::empty())
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn the_ready_made_views_filter_the_board_and_the_list_alike() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let judicial = HandlerRef::Department(app.fixture.judicial_office);
    // Awaiting: routed to the mediator, with the judicial office cooperating.
    let awaiting = app.register(&clerk, &app.sample_case()).await;
    let awaiting = app
        .move_case(
            &lead,
            &awaiting,
            route_to(HandlerRef::Mediator(app.fixture.mediator), vec![judicial]),
        )
        .await;
    // Urged: accepted, then urged by the lead.
    let urged = app.register(&clerk, &app.sample_case()).await;
    let urged = app
        .move_case(
            &lead,
            &urged,
            route_to(HandlerRef::Mediator(app.fixture.mediator), vec![]),
        )
        .await;
    let urged = app.move_case(&mediator, &urged, Command::Accept).await;
    let today = app.state.config.today();
    let due = (today + Duration::days(2)).to_string();
    app.post_json(
        &format!("/api/cases/{}/urgings", urged.id),
        Some(&lead),
        &json!({"what": "请尽快反馈", "due_on": due}),
    )
    .await
    .expect_status(201);
    // Escalated: overdue, and the supervisor told the lead.
    let late = app.register(&clerk, &app.sample_case()).await;
    app.execute(&format!(
        "UPDATE cases SET due_on = '{}' WHERE id = {}",
        today - Duration::days(2),
        late.id
    ))
    .await;
    let report = backend::supervise::tick(&app.state, Utc::now())
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert!(
        report.escalated.contains(&(late.id, "overdue")),
        "{report:?}"
    );
    // A fourth case in none of the views.
    let plain = app.register(&clerk, &app.sample_case()).await;

    for (view, expected) in [
        (BoardView::Awaiting, vec![awaiting.id]),
        (BoardView::Urged, vec![urged.id]),
        (BoardView::Escalated, vec![late.id]),
    ] {
        let query = serde_urlencoded(&CaseFilter::preset(view));
        assert_eq!(
            board_ids(&app, &lead, &query).await,
            expected,
            "board {view:?}"
        );
        assert_eq!(
            list_ids(&app, &lead, &query).await,
            expected,
            "list {view:?}"
        );
    }
    assert!(!board_ids(&app, &lead, "").await.is_empty());
    let all = board_ids(&app, &lead, "").await;
    assert!(all.contains(&plain.id));

    // The cards say it: the cooperating unit's name, the urging, the escalation.
    let c = card(&app, &lead, awaiting.id).await;
    assert_eq!(
        c.as_ref().map(|c| c.cooperating_names.clone()),
        Some(vec!["司法所".to_owned()])
    );
    assert!(c.is_some_and(|c| c.awaiting_until.is_some() && c.escalation.is_none()));
    assert_eq!(
        card(&app, &lead, urged.id).await.map(|c| c.open_urgings),
        Some(1)
    );
    assert_eq!(
        card(&app, &lead, late.id).await.and_then(|c| c.escalation),
        Some(Escalation::Lead)
    );
    // No longer overdue (as after an extension): no longer escalated; overdue again: back.
    let escalated = serde_urlencoded(&CaseFilter::preset(BoardView::Escalated));
    for (due, expected) in [
        (today + Duration::days(5), vec![]),
        (today - Duration::days(2), vec![late.id]),
    ] {
        app.execute(&format!(
            "UPDATE cases SET due_on = '{due}' WHERE id = {}",
            late.id
        ))
        .await;
        assert_eq!(
            board_ids(&app, &lead, &escalated).await,
            expected,
            "board, due {due}"
        );
        assert_eq!(
            list_ids(&app, &lead, &escalated).await,
            expected,
            "list, due {due}"
        );
    }
    // Accepting ends "awaiting"; the view follows without a reload of anything else.
    app.move_case(&mediator, &awaiting, Command::Accept).await;
    let query = serde_urlencoded(&CaseFilter::preset(BoardView::Awaiting));
    assert!(board_ids(&app, &lead, &query).await.is_empty());
    // A closed case is no longer escalated.
    let late = app.read_case(&lead, late.id).await;
    let routed = app
        .move_case(
            &lead,
            &late,
            route_to(HandlerRef::Mediator(app.fixture.mediator), vec![]),
        )
        .await;
    let accepted = app.move_case(&mediator, &routed, Command::Accept).await;
    let accepted = app.agree_in_writing(accepted.id).await;
    let closed = app
        .move_case(
            &mediator,
            &accepted,
            Command::Close {
                outcome: shared::model::Outcome::AgreementWritten,
                summary: "双方达成协议".into(),
                route_told: None,
            },
        )
        .await;
    assert_eq!(closed.stage, Stage::Closed);
    let query = serde_urlencoded(&CaseFilter::preset(BoardView::Escalated));
    assert!(board_ids(&app, &lead, &query).await.is_empty());
    assert!(list_ids(&app, &lead, &query).await.is_empty());
}

/// A filter as the query string the board sends.
fn serde_urlencoded(filter: &CaseFilter) -> String {
    let value = serde_json::to_value(filter).unwrap_or_default();
    value
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_owned)))
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_saved_view_is_its_owners_and_each_refusal_names_its_field() {
    let app = TestApp::new().await;
    let mediator = app.login("mediator").await;
    let other = app.login("mediator2").await;
    app.get("/api/views", None).await.expect_status(401);
    let filter = CaseFilter {
        village: Some(app.fixture.villages[0]),
        urged: true,
        q: Some("  工资 ".into()),
        page: Some(3),
        ..CaseFilter::default()
    };
    let res = app
        .post_json(
            "/api/views",
            Some(&mediator),
            &json!({"name": " 渠口村督办 ", "filter": filter}),
        )
        .await;
    res.expect_status(201);
    let saved: SavedView = res.json();
    assert_eq!(saved.name, "渠口村督办");
    assert_eq!(
        saved.filter.q.as_deref(),
        Some("工资"),
        "the search is trimmed"
    );
    assert_eq!(saved.filter.page, None, "no page is kept");

    let before = app.snapshot().await;
    let refused = |body: serde_json::Value, field: &'static str| {
        let (app, mediator) = (&app, &mediator);
        async move {
            let res = app.post_json("/api/views", Some(mediator), &body).await;
            res.expect_status(422);
            let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
            assert_eq!(fields, [field], "{body}");
        }
    };
    let urged = json!({"urged": true});
    refused(json!({"name": "  ", "filter": urged}), "name").await;
    refused(json!({"name": "a\nb", "filter": urged}), "name").await;
    refused(json!({"name": "长".repeat(31), "filter": urged}), "name").await;
    refused(json!({"name": 5, "filter": urged}), "name").await;
    refused(json!({"name": "渠口村督办", "filter": urged}), "name").await;
    refused(json!({"name": "all", "filter": {}}), "filter").await;
    refused(json!({"name": "all", "filter": {"q": "   "}}), "filter").await;
    refused(
        json!({"name": "q", "filter": {"q": "x".repeat(101)}}),
        "filter.q",
    )
    .await;
    refused(
        json!({"name": "bad", "filter": {"risk": "extreme"}}),
        "filter.risk",
    )
    .await;
    assert_eq!(app.snapshot().await, before, "a refusal stored something");
    // In the person's language.
    let res = app
        .send(
            Method::POST,
            "/api/views",
            Some(&mediator),
            Some("application/json"),
            serde_json::to_vec(&json!({"name": "渠口村督办", "filter": urged})).unwrap_or_default(),
        )
        .await;
    assert!(res.error().fields[0].message.contains("同名"));

    // Theirs alone.
    let mine: SavedViews = app.get("/api/views", Some(&mediator)).await.json();
    assert_eq!(mine.views, vec![saved.clone()]);
    let theirs: SavedViews = app.get("/api/views", Some(&other)).await.json();
    assert!(theirs.views.is_empty());
    let path = format!("/api/views/{}", saved.id);
    assert_eq!(delete(&app, &path, &other).await, 404);
    assert_eq!(app.count("saved_views").await, 1);
    // Another person may use the same name.
    app.post_json(
        "/api/views",
        Some(&other),
        &json!({"name": "渠口村督办", "filter": urged}),
    )
    .await
    .expect_status(201);
    assert_eq!(delete(&app, &path, &mediator).await, 204);
    assert_eq!(delete(&app, &path, &mediator).await, 404);
    assert_eq!(delete(&app, "/api/views/abc", &mediator).await, 404);
    let mine: SavedViews = app.get("/api/views", Some(&mediator)).await.json();
    assert!(mine.views.is_empty());
}

#[tokio::test]
async fn forty_saves_at_once_keep_twenty_views_and_one_of_each_name() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let urged = json!({"urged": true});
    for i in 0..15 {
        app.post_json(
            "/api/views",
            Some(&lead),
            &json!({"name": format!("v{i}"), "filter": urged}),
        )
        .await
        .expect_status(201);
    }
    // 40 different names at once, with room for 5.
    let statuses = join_all((0..40).map(|i| {
        let (app, lead, urged) = (&app, &lead, &urged);
        async move {
            let body = json!({"name": format!("at once {i}"), "filter": urged});
            let res = app.post_json("/api/views", Some(lead), &body).await;
            let field = (res.status != 201).then(|| res.error().fields[0].field.clone());
            (res.status.as_u16(), field)
        }
    }))
    .await;
    let created = statuses.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 5, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .filter(|(s, _)| *s != 201)
            .all(|(s, e)| *s == 422 && e.as_deref() == Some("name")),
        "{statuses:?}"
    );
    assert_eq!(app.count("saved_views").await, 20);
    // The same name ten times at once (for someone with room): once.
    let mediator = app.login("mediator").await;
    let statuses = join_all((0..10).map(|_| {
        let (app, mediator, urged) = (&app, &mediator, &urged);
        async move {
            let body = json!({"name": "同一个", "filter": urged});
            app.post_json("/api/views", Some(mediator), &body)
                .await
                .status
                .as_u16()
        }
    }))
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 422),
        "{statuses:?}"
    );
    assert_eq!(app.count("saved_views").await, 21);
}

#[tokio::test]
async fn a_case_routed_to_me_is_new_until_i_open_it() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let other = app.login("mediator2").await;
    let police = app.login("police").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    assert!(new_cases(&app, &mediator).await.is_empty());
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator), vec![]),
        )
        .await;
    assert_eq!(new_cases(&app, &mediator).await, [case.id]);
    assert!(new_cases(&app, &other).await.is_empty());
    // Accepting it from the board does not make it seen; opening it does.
    let accepted = app.move_case(&mediator, &routed, Command::Accept).await;
    assert_eq!(new_cases(&app, &mediator).await, [case.id]);
    let seen = format!("/api/cases/{}/seen", case.id);
    app.post_json(&seen, Some(&mediator), &json!({}))
        .await
        .expect_status(204);
    assert!(new_cases(&app, &mediator).await.is_empty());
    let inbox: NotificationList = app.get("/api/notifications", Some(&mediator)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .filter(|n| n.case_id == Some(case.id))
            .all(|n| n.read),
        "opening the case reads its notifications"
    );
    assert_eq!(accepted.stage, Stage::InHandling);

    // Routed to the police station, declined: new to the lead, who opens it.
    let second = app.register(&clerk, &app.sample_case()).await;
    let second = app
        .move_case(
            &lead,
            &second,
            route_to(HandlerRef::Department(app.fixture.police_station), vec![]),
        )
        .await;
    assert!(new_cases(&app, &police).await.contains(&second.id));
    // The police liaison may not mark another unit's case, nor see it exists.
    app.post_json(&seen, Some(&police), &json!({}))
        .await
        .expect_status(404);
    app.post_json("/api/cases/999999/seen", Some(&lead), &json!({}))
        .await
        .expect_status(404);
    let declined = app
        .move_case(
            &police,
            &second,
            Command::Decline {
                reason: "不属本所职责".into(),
            },
        )
        .await;
    assert_eq!(declined.stage, Stage::Registered);
    assert!(
        !new_cases(&app, &police).await.contains(&second.id),
        "no longer theirs"
    );
    assert!(new_cases(&app, &lead).await.contains(&second.id));
    // Routed on to a mediator who never opened it, then to another: new to the second only.
    let rerouted = app
        .move_case(
            &lead,
            &declined,
            route_to(HandlerRef::Mediator(app.fixture.mediator), vec![]),
        )
        .await;
    assert!(
        !new_cases(&app, &lead).await.contains(&second.id),
        "routed on"
    );
    let recalled = app
        .move_case(
            &lead,
            &rerouted,
            Command::Return {
                reason: "改派".into(),
            },
        )
        .await;
    // The decline's notice, still unread, does not make the lead's own recall news.
    assert!(
        !new_cases(&app, &lead).await.contains(&second.id),
        "a recall"
    );
    app.move_case(
        &lead,
        &recalled,
        route_to(HandlerRef::Mediator(app.fixture.mediator2), vec![]),
    )
    .await;
    assert!(!new_cases(&app, &mediator).await.contains(&second.id));
    assert_eq!(new_cases(&app, &other).await, [second.id]);
    let _: CaseDetail = app.read_case(&other, second.id).await;
}

/// Forty openings of one case at once (tabs restored together): every one is answered 204, the
/// mark is gone, and each notification of the case is read once, not left unread or failed.
#[tokio::test]
async fn forty_openings_at_once_clear_the_new_mark_once() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    app.move_case(
        &lead,
        &case,
        route_to(HandlerRef::Mediator(app.fixture.mediator), vec![]),
    )
    .await;
    assert_eq!(new_cases(&app, &mediator).await, [case.id]);
    let seen = format!("/api/cases/{}/seen", case.id);
    let body = json!({});
    for res in join_all((0..40).map(|_| app.post_json(&seen, Some(&mediator), &body))).await {
        res.expect_status(204);
    }
    assert!(new_cases(&app, &mediator).await.is_empty());
    let inbox: NotificationList = app.get("/api/notifications", Some(&mediator)).await.json();
    let of_case: Vec<_> = inbox
        .items
        .iter()
        .filter(|n| n.case_id == Some(case.id))
        .collect();
    assert!(!of_case.is_empty());
    assert!(of_case.iter().all(|n| n.read));
}

//! Supervision: the response clock and its timeout, declines on the card, escalation levels
//! on a controllable clock (once each, across a restart and when passes run together),
//! urgings and their acknowledgement, notifications, and the residents' SMS outbox.

use chrono::{Duration, Utc};
use concord_tests::TestApp;
use serde_json::json;
use shared::api::{Board, NotificationList};
use shared::model::{
    CaseCard, CaseDetail, CaseEvent, CaseKind, EventKind, HandlerRef, NotificationKind, Stage,
    Urging,
};
use shared::workflow::Command;

fn route_to(handler: HandlerRef) -> Command {
    Command::Route {
        handler,
        cooperating: vec![],
        note: String::new(),
    }
}

async fn card(app: &TestApp, cookie: &str, id: i64) -> Option<CaseCard> {
    let board: Board = app.get("/api/board", Some(cookie)).await.json();
    board.cards.into_iter().find(|c| c.id == id)
}

async fn inbox(app: &TestApp, cookie: &str) -> NotificationList {
    let res = app.get("/api/notifications", Some(cookie)).await;
    res.expect_status(200);
    res.json()
}

fn kinds(list: &NotificationList, case: &CaseDetail) -> Vec<NotificationKind> {
    list.items
        .iter()
        .filter(|n| n.case_id == Some(case.id))
        .map(|n| n.kind)
        .collect()
}

async fn timeline(app: &TestApp, cookie: &str, id: i64) -> Vec<CaseEvent> {
    app.get(&format!("/api/cases/{id}/timeline"), Some(cookie))
        .await
        .json()
}

#[tokio::test]
async fn a_routing_waits_for_acceptance_and_the_department_hears_of_it() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    let today = app.state.config.today();
    let until = routed.awaiting_until.unwrap_or(today);
    // Three working days: at least 3 and at most 3 + a long holiday's days later.
    assert!(until >= today + Duration::days(3) && until <= today + Duration::days(12));
    assert_eq!(
        card(&app, &lead, case.id)
            .await
            .and_then(|c| c.awaiting_until),
        Some(until)
    );
    let list = inbox(&app, &police).await;
    assert_eq!(kinds(&list, &case), vec![NotificationKind::Routed]);
    assert_eq!(list.unread, 1);
    app.move_case(&police, &routed, Command::Accept).await;
    let accepted = app.read_case(&lead, case.id).await;
    assert_eq!(accepted.awaiting_until, None);
    assert_eq!(
        kinds(&inbox(&app, &lead).await, &case),
        vec![NotificationKind::Accepted]
    );
}

#[tokio::test]
async fn a_decline_shows_on_the_card_with_its_reason_until_routed_again() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    app.move_case(
        &police,
        &routed,
        Command::Decline {
            reason: "不属本所职责".into(),
        },
    )
    .await;
    let back = card(&app, &lead, case.id).await;
    let returned = back.as_ref().and_then(|c| c.returned.clone());
    assert_eq!(back.map(|c| c.stage), Some(Stage::Registered));
    assert_eq!(returned.as_ref().map(|r| r.by.as_str()), Some("派出所"));
    assert_eq!(
        returned.and_then(|r| r.reason).as_deref(),
        Some("不属本所职责")
    );
    let list = inbox(&app, &lead).await;
    let declined = list
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::Declined);
    assert!(declined.is_some_and(|n| n.text.contains("不属本所职责")));
    // Routed again: the note goes.
    let again = app.read_case(&lead, case.id).await;
    app.move_case(
        &lead,
        &again,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
    assert_eq!(
        card(&app, &lead, case.id).await.and_then(|c| c.returned),
        None
    );
}

#[tokio::test]
async fn an_unanswered_routing_returns_to_the_lead_after_its_response_time_once() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.judicial_office)),
        )
        .await;
    let until = routed.awaiting_until.unwrap_or_default();
    // On the last day to answer, nothing happens.
    let days = (until - app.state.config.today()).num_days();
    let last_day = Utc::now() + Duration::days(days);
    let r = backend::supervise::tick(&app.state, last_day)
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert!(r.expired.is_empty());
    // The day after, it is back with the lead, said so on the card, timeline and inbox.
    let after = last_day + Duration::days(1);
    let r = backend::supervise::tick(&app.state, after)
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert_eq!(r.expired, vec![case.id]);
    let back = app.read_case(&lead, case.id).await;
    assert_eq!(back.stage, Stage::Registered);
    assert_eq!(back.handler, None);
    let note = back.returned.clone();
    assert_eq!(note.as_ref().map(|n| n.by.as_str()), Some("司法所"));
    assert_eq!(note.and_then(|n| n.reason), None);
    let last = timeline(&app, &lead, case.id).await.pop();
    assert_eq!(
        last.as_ref().map(|e| e.kind),
        Some(EventKind::ResponseExpired)
    );
    assert_eq!(last.map(|e| e.actor_name), Some("系统".to_owned()));
    assert!(kinds(&inbox(&app, &lead).await, &case).contains(&NotificationKind::ResponseExpired));
    // A second pass finds nothing to do.
    let r = backend::supervise::tick(&app.state, after)
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert!(r.expired.is_empty());
}

#[tokio::test]
async fn escalation_reminds_the_handler_then_the_lead_then_the_town_leader_each_once() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let leader = app.login("leader").await;
    let mut sample = app.sample_case();
    sample.kind = CaseKind::Consultation; // a 1-day clock
    let case = app.register(&clerk, &sample).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    app.move_case(&mediator, &routed, Command::Accept).await;
    let due = case.due_on;
    let today = app.state.config.today();
    let at = |day_offset: i64| Utc::now() + Duration::days(day_offset);
    let to_due = (due - today).num_days();
    // Due within 3 days: the handler is reminded.
    let r = backend::supervise::tick(&app.state, at(0))
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert_eq!(r.escalated, vec![(case.id, "due_soon")]);
    assert!(kinds(&inbox(&app, &mediator).await, &case).contains(&NotificationKind::DueSoon));
    // Overdue: the lead. Two passes at once take the step once.
    let (a, b) = tokio::join!(
        backend::supervise::tick(&app.state, at(to_due + 1)),
        backend::supervise::tick(&app.state, at(to_due + 1)),
    );
    let mut steps = a.unwrap_or_else(|e| panic!("tick: {e:?}")).escalated;
    steps.extend(b.unwrap_or_else(|e| panic!("tick: {e:?}")).escalated);
    assert_eq!(steps, vec![(case.id, "overdue")]);
    assert!(kinds(&inbox(&app, &lead).await, &case).contains(&NotificationKind::Overdue));
    // After a restart (a new server on the same database) nothing is repeated …
    let restarted = backend::AppState::new(app.state.db.clone(), (*app.state.config).clone());
    let r = backend::supervise::tick(&restarted, at(to_due + 2))
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert!(r.escalated.is_empty());
    // … and 7 days overdue, the village's town leader is told.
    let r = backend::supervise::tick(&restarted, at(to_due + 7))
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert_eq!(r.escalated, vec![(case.id, "overdue_7")]);
    assert!(kinds(&inbox(&app, &leader).await, &case).contains(&NotificationKind::OverdueWeek));
    let steps: Vec<String> = timeline(&app, &lead, case.id)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::Escalated)
        .filter_map(|e| {
            e.details
                .iter()
                .find(|(k, _)| k == "level")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(steps, ["due_soon", "overdue", "overdue_7"]);
}

#[tokio::test]
async fn the_lead_urges_and_the_handler_acknowledges() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let other = app.login("mediator2").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let path = format!("/api/cases/{}/urgings", case.id);
    let today = app.state.config.today();
    let good = json!({"what": "请于三日内反馈调解进展", "due_on": (today + Duration::days(3)).to_string()});
    // Nobody to urge before routing.
    let res = app.post_json(&path, Some(&lead), &good).await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "stage");
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let before = app.snapshot().await;
    app.post_json(&path, Some(&mediator), &good)
        .await
        .expect_status(403);
    let past = json!({"what": "x", "due_on": (today - Duration::days(1)).to_string()});
    let res = app.post_json(&path, Some(&lead), &past).await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "due_on");
    let empty = json!({"what": " ", "due_on": today.to_string()});
    let res = app.post_json(&path, Some(&lead), &empty).await;
    assert_eq!(res.error().fields[0].field, "what");
    assert_eq!(app.snapshot().await, before, "the database changed");
    let res = app.post_json(&path, Some(&lead), &good).await;
    res.expect_status(201);
    let urging: Urging = res.json();
    assert_eq!(
        card(&app, &lead, case.id).await.map(|c| c.open_urgings),
        Some(1)
    );
    assert!(kinds(&inbox(&app, &mediator).await, &case).contains(&NotificationKind::Urged));
    let ack = format!("/api/cases/{}/urgings/{}/acknowledge", case.id, urging.id);
    app.post_json(&ack, Some(&other), &json!({}))
        .await
        .expect_status(403);
    app.post_json(&ack, Some(&lead), &json!({}))
        .await
        .expect_status(403);
    let res = app.post_json(&ack, Some(&mediator), &json!({})).await;
    res.expect_status(200);
    let done: Urging = res.json();
    assert_eq!(done.acknowledged_by.as_deref(), Some("张调解"));
    app.post_json(&ack, Some(&mediator), &json!({}))
        .await
        .expect_status(409);
    let missing = format!("/api/cases/{}/urgings/999999/acknowledge", case.id);
    app.post_json(&missing, Some(&mediator), &json!({}))
        .await
        .expect_status(404);
    assert_eq!(
        card(&app, &lead, case.id).await.map(|c| c.open_urgings),
        Some(0)
    );
    let detail = app.read_case(&lead, routed.id).await;
    assert_eq!(detail.urgings.len(), 1);
    assert!(
        kinds(&inbox(&app, &lead).await, &case).contains(&NotificationKind::UrgingAcknowledged)
    );
}

#[tokio::test]
async fn notifications_are_read_one_by_one_or_all_and_only_by_their_owner() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    for _ in 0..3 {
        let case = app.register(&clerk, &app.sample_case()).await;
        app.move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    }
    let list = inbox(&app, &police).await;
    assert_eq!(list.unread, 3);
    let first = list.items[0].id;
    app.post_json(
        &format!("/api/notifications/{first}/read"),
        Some(&lead),
        &json!({}),
    )
    .await
    .expect_status(404);
    app.post_json(
        &format!("/api/notifications/{first}/read"),
        Some(&police),
        &json!({}),
    )
    .await
    .expect_status(204);
    let list = inbox(&app, &police).await;
    assert_eq!(list.unread, 2);
    assert!(list.items.iter().any(|n| n.id == first && n.read));
    app.post_json("/api/notifications/read", Some(&police), &json!({}))
        .await
        .expect_status(204);
    assert_eq!(inbox(&app, &police).await.unread, 0);
    app.get("/api/notifications", None).await.expect_status(401);
}

#[tokio::test]
async fn residents_text_messages_wait_in_the_outbox() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let mut conn = app
        .state
        .db
        .pool
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let out = backend::db::supervision::outbox(&mut conn, Some("pending"))
        .await
        .unwrap_or_default();
    // The applicant (13812345678) gets the receipt; the respondent nothing.
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].phone, "13812345678");
    assert!(out[0].text.contains(&case.code));
    drop(conn);
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let handling = app.move_case(&lead, &routed, Command::Accept).await;
    let handling = app.agree_in_writing(handling.id).await;
    app.move_case(
        &lead,
        &handling,
        Command::Close {
            outcome: shared::model::Outcome::AgreementWritten,
            summary: "双方达成协议".into(),
            route_told: None,
        },
    )
    .await;
    let mut conn = app
        .state
        .db
        .pool
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let out = backend::db::supervision::outbox(&mut conn, None)
        .await
        .unwrap_or_default();
    assert_eq!(out.len(), 2);
    assert!(out[1].text.contains("已办结"));
}

#[tokio::test]
async fn a_case_first_seen_long_overdue_tells_only_the_highest_level() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let leader = app.login("leader").await;
    let mut sample = app.sample_case();
    sample.kind = CaseKind::Consultation;
    let case = app.register(&clerk, &sample).await;
    app.move_case(
        &lead,
        &case,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
    let to_due = (case.due_on - app.state.config.today()).num_days();
    let later = Utc::now() + Duration::days(to_due + 8);
    let r = backend::supervise::tick(&app.state, later)
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert_eq!(r.escalated, vec![(case.id, "overdue_7")]);
    assert_eq!(
        kinds(&inbox(&app, &leader).await, &case),
        vec![NotificationKind::OverdueWeek]
    );
    let mediator_kinds = kinds(&inbox(&app, &mediator).await, &case);
    assert!(
        !mediator_kinds.contains(&NotificationKind::DueSoon),
        "{mediator_kinds:?}"
    );
    let lead_kinds = kinds(&inbox(&app, &lead).await, &case);
    assert!(
        !lead_kinds.contains(&NotificationKind::Overdue),
        "{lead_kinds:?}"
    );
    // The lower steps count as taken: nothing follows.
    let r = backend::supervise::tick(&app.state, later)
        .await
        .unwrap_or_else(|e| panic!("tick: {e:?}"));
    assert!(r.escalated.is_empty());
}

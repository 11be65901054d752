//! The case clock beyond its rule: suspension and resumption (the due date moves by the days
//! stood still), extensions within each track's limit (a petition once, at most 30 days;
//! people's mediation only with consent), the message thread, and the same-day risk report to
//! the police station with its acknowledgement — including two requests arriving together.

use chrono::Duration;
use concord_tests::TestApp;
use serde_json::json;
use shared::api::{Board, NotificationList, PoliceNoticeList};
use shared::model::{
    CaseDetail, CaseEvent, CaseKind, EventKind, ExtensionStatus, HandlerRef, NotificationKind,
    RiskFlag, Stage,
};
use shared::workflow::Command;

/// An empty JSON object.
static EMPTY: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| json!({}));

/// A case of `kind` registered by the clerk, routed to the mediator and accepted.
async fn in_handling(app: &TestApp, kind: CaseKind) -> (CaseDetail, String, String) {
    let mut req = app.sample_case();
    req.kind = kind;
    registered_and_accepted(app, &req).await
}

/// `req` registered by the clerk, routed to the mediator and accepted; with the lead's and
/// the mediator's cookies.
async fn registered_and_accepted(
    app: &TestApp,
    req: &shared::api::RegisterCase,
) -> (CaseDetail, String, String) {
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let case = app.register(&clerk, req).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            Command::Route {
                handler: HandlerRef::Mediator(app.fixture.mediator),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let accepted = app.move_case(&mediator, &routed, Command::Accept).await;
    assert_eq!(accepted.stage, Stage::InHandling);
    (accepted, lead, mediator)
}

async fn timeline(app: &TestApp, cookie: &str, id: i64) -> Vec<EventKind> {
    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{id}/timeline"), Some(cookie))
        .await
        .json();
    events.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_suspension_stops_the_clock_and_resuming_moves_the_due_date() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Dispute).await;
    let path = format!("/api/cases/{}/suspend", case.id);
    // A reason is required, in words.
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"reason_kind": "appraisal", "reason": " "}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "reason");
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"reason_kind": "nap", "reason": "x"}),
        )
        .await;
    res.expect_status(422);
    // Someone else's case: the grid worker may not.
    let grid = app.login("grid").await;
    let body = json!({"reason_kind": "appraisal", "reason": "等待伤情鉴定结果"});
    app.post_json(&path, Some(&grid), &body)
        .await
        .expect_status(403);
    let res = app.post_json(&path, Some(&mediator), &body).await;
    res.expect_status(200);
    let suspended: CaseDetail = res.json();
    assert_eq!(suspended.suspensions.len(), 1);
    assert_eq!(suspended.suspensions[0].until, None);
    // Twice: a conflict, and nothing more is stored.
    app.post_json(&path, Some(&mediator), &body)
        .await
        .expect_status(409);
    assert_eq!(app.count("case_pauses").await, 1);
    // The board marks the card, and the lead hears of it.
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let card = board.cards.iter().find(|c| c.id == case.id).cloned();
    assert_eq!(
        card.and_then(|c| c.suspended_on),
        Some(app.state.config.today())
    );
    let inbox: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::Suspended)
    );

    // Make the case ten days old and its suspension four, then resume: the clock stood four
    // days, so the due date is 30 + 4 calendar days from acceptance.
    let today = app.state.config.today();
    let from = (today - Duration::days(4)).format("%Y-%m-%d").to_string();
    let started = today - Duration::days(10);
    app.execute(&format!(
        "UPDATE cases SET clock_started_on = '{}' WHERE id = {}",
        started.format("%Y-%m-%d"),
        case.id
    ))
    .await;
    app.execute(&format!(
        "UPDATE case_pauses SET from_on = '{from}' WHERE case_id = {}",
        case.id
    ))
    .await;
    app.execute(&format!(
        "UPDATE cases SET suspended_on = '{from}' WHERE id = {}",
        case.id
    ))
    .await;
    let res = app
        .post_json(
            &format!("/api/cases/{}/resume", case.id),
            Some(&lead),
            &json!({"note": "鉴定结果已出"}),
        )
        .await;
    res.expect_status(200);
    let resumed: CaseDetail = res.json();
    assert_eq!(resumed.suspensions[0].until, Some(today));
    assert_eq!(resumed.due_explained.paused_days, 4);
    // People's mediation counts calendar days (the next working day if that is a rest day).
    let plain = started + Duration::days(34);
    assert!(resumed.due_on >= plain && resumed.due_on <= plain + Duration::days(8));
    let text = resumed.due_explained.text(shared::Lang::En);
    assert!(text.contains("paused 4 days"), "{text}");
    // Resuming what runs already: a conflict.
    app.post_json(
        &format!("/api/cases/{}/resume", case.id),
        Some(&lead),
        &json!({}),
    )
    .await
    .expect_status(409);
    let kinds = timeline(&app, &lead, case.id).await;
    assert!(kinds.contains(&EventKind::Suspended) && kinds.contains(&EventKind::Resumed));
    // The public look-up shows the new date.
    let public: serde_json::Value = app
        .post_json(
            "/api/public/status",
            None,
            &json!({"code": case.code, "phone_last4": "5678"}),
        )
        .await
        .json();
    let shown = public.to_string();
    assert!(
        shown.contains(&resumed.due_on.format("%Y-%m-%d").to_string()),
        "{shown}"
    );
}

#[tokio::test]
async fn only_a_case_in_handling_is_suspended() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let res = app
        .post_json(
            &format!("/api/cases/{}/suspend", case.id),
            Some(&lead),
            &json!({"reason_kind": "waiting_party", "reason": "当事人外出"}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "stage");
}

#[tokio::test]
async fn a_petition_is_extended_once_by_at_most_30_days() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Petition).await;
    assert!(case.extension_rule.once && case.extension_rule.max_days == 30);
    let path = format!("/api/cases/{}/extensions", case.id);
    // Not a number of days: named, and nothing stored.
    for bad in [
        json!({"days": -1, "reason": "x"}),
        json!({"days": "ten", "reason": "x"}),
    ] {
        let res = app.post_json(&path, Some(&mediator), &bad).await;
        res.expect_status(422);
        assert_eq!(res.error().fields[0].field, "days");
    }
    assert_eq!(app.count("case_extensions").await, 0);
    // 31 days: out of range, named.
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"days": 31, "reason": "需调查核实"}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "days");
    // The lead does not ask; the handler does.
    app.post_json(&path, Some(&lead), &json!({"days": 10, "reason": "x"}))
        .await
        .expect_status(403);
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"days": 10, "reason": "需调查核实"}),
        )
        .await;
    res.expect_status(201);
    let asked: CaseDetail = res.json();
    assert_eq!(asked.extensions[0].status, ExtensionStatus::Pending);
    assert_eq!(
        asked.due_on, case.due_on,
        "not moved before the lead approves"
    );
    // A second request while one waits: a conflict.
    app.post_json(
        &path,
        Some(&mediator),
        &json!({"days": 5, "reason": "again"}),
    )
    .await
    .expect_status(409);
    // The lead sees it on the card and in the inbox.
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    assert!(
        board
            .cards
            .iter()
            .any(|c| c.id == case.id && c.extension_pending)
    );
    let decision = format!(
        "/api/cases/{}/extensions/{}/decision",
        case.id, asked.extensions[0].id
    );
    // The handler does not decide.
    app.post_json(&decision, Some(&mediator), &json!({"approve": true}))
        .await
        .expect_status(403);
    let res = app
        .post_json(
            &decision,
            Some(&lead),
            &json!({"approve": true, "note": "同意"}),
        )
        .await;
    res.expect_status(200);
    let approved: CaseDetail = res.json();
    assert_eq!(approved.extensions[0].status, ExtensionStatus::Approved);
    assert_eq!(approved.due_explained.extension_days, 10);
    // 60 + 10 calendar days from acceptance (later only if that day is a rest day).
    let plain = case.due_explained.started_on + Duration::days(70);
    assert!(approved.due_on >= plain && approved.due_on <= plain + Duration::days(8));
    // Decided already.
    app.post_json(
        &decision,
        Some(&lead),
        &json!({"approve": false, "note": "no"}),
    )
    .await
    .expect_status(409);
    // Once only.
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"days": 5, "reason": "再次延期"}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "days");
    let inbox: NotificationList = app.get("/api/notifications", Some(&mediator)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::ExtensionDecided)
    );
}

#[tokio::test]
async fn a_mediation_is_extended_only_with_both_parties_consent_and_a_refusal_says_why() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Dispute).await;
    let path = format!("/api/cases/{}/extensions", case.id);
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"days": 15, "reason": "双方需时间考虑"}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "consent");
    let res = app
        .post_json(
            &path,
            Some(&mediator),
            &json!({"days": 15, "reason": "双方需时间考虑", "consent": true}),
        )
        .await;
    res.expect_status(201);
    let asked: CaseDetail = res.json();
    assert!(asked.extensions[0].consent);
    let decision = format!(
        "/api/cases/{}/extensions/{}/decision",
        case.id, asked.extensions[0].id
    );
    let res = app
        .post_json(&decision, Some(&lead), &json!({"approve": false}))
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "note");
    let res = app
        .post_json(
            &decision,
            Some(&lead),
            &json!({"approve": false, "note": "应尽快调结"}),
        )
        .await;
    res.expect_status(200);
    let refused: CaseDetail = res.json();
    assert_eq!(refused.extensions[0].status, ExtensionStatus::Refused);
    assert_eq!(refused.due_on, case.due_on);
    // A refusal does not use up the extension: a new request may be made.
    app.post_json(
        &path,
        Some(&mediator),
        &json!({"days": 7, "reason": "双方同意延期", "consent": true}),
    )
    .await
    .expect_status(201);
}

#[tokio::test]
async fn a_labour_mediation_is_never_extended() {
    let app = TestApp::new().await;
    let mut req = app.sample_case();
    req.category = shared::model::Category::Labour;
    let (case, _, mediator) = registered_and_accepted(&app, &req).await;
    assert!(!case.extension_rule.allowed);
    let res = app
        .post_json(
            &format!("/api/cases/{}/extensions", case.id),
            Some(&mediator),
            &json!({"days": 5, "reason": "x", "consent": true}),
        )
        .await;
    res.expect_status(422);
    assert!(res.error().fields[0].message.contains("不得延长"));
}

#[tokio::test]
async fn requests_arriving_together_record_one_suspension_and_one_decision() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Petition).await;
    let path = format!("/api/cases/{}/suspend", case.id);
    let body = json!({"reason_kind": "hearing", "reason": "等待听证"});
    let results =
        concord_tests::join_all((0..40).map(|_| app.post_json(&path, Some(&mediator), &body)))
            .await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!((ok, conflicts), (1, 39));
    assert_eq!(app.count("case_pauses").await, 1);
    app.post_json(
        &format!("/api/cases/{}/resume", case.id),
        Some(&lead),
        &json!({}),
    )
    .await
    .expect_status(200);
    let asked: CaseDetail = app
        .post_json(
            &format!("/api/cases/{}/extensions", case.id),
            Some(&mediator),
            &json!({"days": 20, "reason": "需补充材料"}),
        )
        .await
        .json();
    let decision = format!(
        "/api/cases/{}/extensions/{}/decision",
        case.id, asked.extensions[0].id
    );
    let bodies: Vec<_> = (0..4)
        .map(|i| json!({"approve": i % 2 == 0, "note": "决定"}))
        .collect();
    let results = concord_tests::join_all(
        bodies
            .iter()
            .map(|b| app.post_json(&decision, Some(&lead), b)),
    )
    .await;
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1);
    let after = app.read_case(&lead, case.id).await;
    let decided = &after.extensions[0];
    let expect_days = if decided.status == ExtensionStatus::Approved {
        20
    } else {
        0
    };
    assert_eq!(after.due_explained.extension_days, expect_days);
}

#[tokio::test]
async fn messages_go_between_the_center_and_the_handler_and_are_masked_for_others() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Dispute).await;
    let path = format!("/api/cases/{}/messages", case.id);
    app.post_json(&path, Some(&lead), &json!({"text": ""}))
        .await
        .expect_status(422);
    let grid = app.login("grid").await;
    app.post_json(&path, Some(&grid), &json!({"text": "hello"}))
        .await
        .expect_status(403);
    app.post_json(&path, Some(&lead), &json!({"text": "张三的材料请今天补齐"}))
        .await
        .expect_status(201);
    let inbox: NotificationList = app.get("/api/notifications", Some(&mediator)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::Message)
    );
    app.post_json(&path, Some(&mediator), &json!({"text": "已联系张三"}))
        .await
        .expect_status(201);
    let inbox: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::Message)
    );
    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&mediator))
        .await
        .json();
    let messages: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::Message)
        .collect();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| !m.public));
    // The town leader reads the case masked: the name in the message is masked too.
    let leader = app.login("leader").await;
    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&leader))
        .await
        .json();
    let text: String = events
        .iter()
        .filter(|e| e.kind == EventKind::Message)
        .filter_map(|e| e.text.clone())
        .collect();
    assert!(!text.contains("张三"), "{text}");
}

#[tokio::test]
async fn a_risky_matter_is_reported_to_the_police_the_same_day_until_acknowledged() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let mediator = app.login("mediator").await;
    let mut req = app.sample_case();
    req.risk_flags = vec![RiskFlag::CriminalRisk];
    let case = app.register(&clerk, &req).await;
    let Some(notice) = case.police_notice.clone() else {
        panic!("a criminal-risk matter has no police notice");
    };
    assert_eq!(notice.department.as_deref(), Some("派出所"));
    assert!(!notice.summary.contains("张三"));
    // An ordinary matter is not reported.
    let plain = app.register(&clerk, &app.sample_case()).await;
    assert!(plain.police_notice.is_none());
    // The board shows it until the station acknowledges.
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    assert!(
        board
            .cards
            .iter()
            .any(|c| c.id == case.id && c.police_pending)
    );
    let inbox: NotificationList = app.get("/api/notifications", Some(&police)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::PoliceNotice)
    );
    // The station's list; another department may not look.
    let list: PoliceNoticeList = app.get("/api/police-notices", Some(&police)).await.json();
    assert_eq!(list.pending, 1);
    assert_eq!(list.notices[0].case_code, case.code);
    assert!(!list.notices[0].summary.contains("张三"));
    app.get("/api/police-notices", Some(&mediator))
        .await
        .expect_status(403);
    let ack = format!("/api/police-notices/{}/acknowledge", notice.id);
    app.post_json(&ack, Some(&lead), &json!({}))
        .await
        .expect_status(403);
    app.post_json(&ack, Some(&mediator), &json!({}))
        .await
        .expect_status(403);
    // Two acknowledgements arriving together: one succeeds.
    let results =
        concord_tests::join_all((0..3).map(|_| app.post_json(&ack, Some(&police), &*EMPTY))).await;
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1);
    assert_eq!(results.iter().filter(|r| r.status == 409).count(), 2);
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    assert!(
        board
            .cards
            .iter()
            .any(|c| c.id == case.id && !c.police_pending)
    );
    let read = app.read_case(&lead, case.id).await;
    assert!(read.police_notice.and_then(|n| n.acknowledged_by).is_some());
    let kinds = timeline(&app, &lead, case.id).await;
    assert!(kinds.contains(&EventKind::PoliceNotified));
    assert!(kinds.contains(&EventKind::PoliceAcknowledged));
    let inbox: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::PoliceAcknowledged)
    );
}

#[tokio::test]
async fn closing_a_suspended_case_ends_its_suspension_and_the_public_sees_it_waiting() {
    let app = TestApp::new().await;
    let (case, lead, mediator) = in_handling(&app, CaseKind::Dispute).await;
    app.post_json(
        &format!("/api/cases/{}/suspend", case.id),
        Some(&mediator),
        &json!({"reason_kind": "waiting_party", "reason": "当事人外出务工"}),
    )
    .await
    .expect_status(200);
    let lookup = json!({"code": case.code, "phone_last4": "5678"});
    let public: shared::api::PublicStatus = app
        .post_json("/api/public/status", None, &lookup)
        .await
        .json();
    assert!(public.suspended);
    assert_eq!(public.due_on, None, "the date moves while suspended");
    assert_eq!(public.on_time, Some(true));
    app.read_case(&lead, case.id).await;
    let suspended = app.agree_in_writing(case.id).await;
    app.move_case(
        &mediator,
        &suspended,
        Command::Close {
            outcome: shared::model::Outcome::AgreementWritten,
            summary: "双方达成协议".into(),
            route_told: None,
        },
    )
    .await;
    let closed = app.read_case(&lead, case.id).await;
    assert_eq!(closed.stage, Stage::Closed);
    assert!(closed.suspensions.iter().all(|s| s.until.is_some()));
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let card = board.cards.iter().find(|c| c.id == case.id);
    assert!(card.is_some_and(|c| c.suspended_on.is_none()));
    let public: shared::api::PublicStatus = app
        .post_json("/api/public/status", None, &lookup)
        .await
        .json();
    assert!(!public.suspended);
}

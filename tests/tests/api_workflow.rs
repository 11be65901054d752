//! Stage transitions: the full loop, who may make each move, illegal moves, routing to
//! unknown handlers, stale versions, and notes.

use concord_tests::TestApp;
use shared::api::NoteRequest;
use shared::model::{CaseDetail, CaseEvent, EventKind, HandlerRef, LegalRoute, Outcome, Stage};
use shared::workflow::Command;
use shared::{ErrorKind, Reason};

fn route_to(handler: HandlerRef) -> Command {
    Command::Route {
        handler,
        cooperating: vec![],
        note: String::new(),
    }
}

fn close() -> Command {
    Command::Close {
        outcome: Outcome::AgreementWritten,
        summary: "双方签订调解协议".to_owned(),
        route_told: None,
    }
}

async fn registered(app: &TestApp) -> CaseDetail {
    let clerk = app.login("clerk").await;
    app.register(&clerk, &app.sample_case()).await
}

async fn timeline(app: &TestApp, cookie: &str, id: i64) -> Vec<CaseEvent> {
    app.get(&format!("/api/cases/{id}/timeline"), Some(cookie))
        .await
        .json()
}

/// Sends a command that must be refused with `status`; asserts nothing was written.
async fn refused(
    app: &TestApp,
    cookie: &str,
    case: &CaseDetail,
    command: Command,
    status: u16,
) -> shared::ApiError {
    let before = app.snapshot().await;
    let res = app.transition(cookie, case.id, case.version, command).await;
    res.expect_status(status);
    assert_eq!(app.snapshot().await, before, "the database changed");
    let lead = app.login("lead").await;
    let after = app.read_case(&lead, case.id).await;
    assert_eq!(after.version, case.version);
    assert_eq!(after.stage, case.stage);
    res.error()
}

#[tokio::test]
async fn the_full_loop_runs_from_registration_to_archive_with_its_timeline() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let handler = HandlerRef::Mediator(app.fixture.mediator);

    let routed = app
        .move_case(
            &lead,
            &case,
            Command::Route {
                handler,
                cooperating: vec![HandlerRef::Department(app.fixture.judicial_office)],
                note: "请尽快联系双方".to_owned(),
            },
        )
        .await;
    assert_eq!(routed.stage, Stage::Routed);
    assert_eq!(routed.handler, Some(handler));
    assert_eq!(routed.handler_name.as_deref(), Some("张调解"));
    assert_eq!(
        routed.cooperating,
        vec![HandlerRef::Department(app.fixture.judicial_office)]
    );
    assert_eq!(routed.version, case.version + 1);
    assert!(routed.routed_at.is_some());

    let handling = app.move_case(&mediator, &routed, Command::Accept).await;
    assert_eq!(handling.stage, Stage::InHandling);
    assert!(!handling.parties_masked, "the handler sees the parties");

    let note = app
        .post_json(
            &format!("/api/cases/{}/notes", case.id),
            Some(&mediator),
            &NoteRequest {
                text: "已约双方周五到调解室".to_owned(),
                public: true,
            },
        )
        .await;
    note.expect_status(201);
    let note: CaseEvent = note.json();
    assert_eq!(note.kind, EventKind::Note);
    assert!(note.public);

    let handling = app.agree_in_writing(handling.id).await;
    let closed = app.move_case(&mediator, &handling, close()).await;
    assert_eq!(closed.stage, Stage::Closed);
    assert_eq!(closed.outcome, Some(Outcome::AgreementWritten));

    let archived = app
        .move_case(
            &lead,
            &closed,
            Command::Archive {
                retention_years: 10,
            },
        )
        .await;
    assert_eq!(archived.stage, Stage::Archived);
    let year = app.state.config.today().format("%Y").to_string();
    assert_eq!(archived.archive_no, Some(format!("GZ-{year}-0001")));
    assert!(archived.archived_at.is_some());

    let events = timeline(&app, &lead, case.id).await;
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::Registered,
            EventKind::Routed,
            EventKind::Accepted,
            EventKind::Note,
            EventKind::AgreementDrafted,
            EventKind::AgreementSigned,
            EventKind::AgreementSigned,
            EventKind::AgreementSigned,
            EventKind::AgreementSealed,
            EventKind::AgreementInEffect,
            EventKind::Closed,
            EventKind::Archived,
        ]
    );
    assert_eq!(events[1].text.as_deref(), Some("请尽快联系双方"));
    assert!(
        events[1]
            .details
            .contains(&("handler".to_owned(), "张调解".to_owned()))
    );
    assert_eq!(events[2].actor_name, "张调解");
    assert_eq!(
        (events[10].from_stage, events[10].to_stage),
        (Some(Stage::InHandling), Some(Stage::Closed))
    );
}

#[tokio::test]
async fn archive_numbers_count_up_per_town_and_year() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let case = registered(&app).await;
        let closed = app
            .move_case(
                &lead,
                &case,
                Command::NotAccept {
                    reason: "不属于受理范围".to_owned(),
                    route_told: LegalRoute::Litigation,
                },
            )
            .await;
        assert_eq!(closed.outcome, Some(Outcome::NotAccepted));
        assert_eq!(closed.route_told, Some(LegalRoute::Litigation));
        let archived = app
            .move_case(
                &lead,
                &closed,
                Command::Archive {
                    retention_years: 30,
                },
            )
            .await;
        numbers.push(archived.archive_no.unwrap_or_default());
    }
    assert!(numbers[0].ends_with("-0001"), "{numbers:?}");
    assert!(numbers[1].ends_with("-0002"), "{numbers:?}");
}

#[tokio::test]
async fn a_clerk_cannot_route() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let clerk = app.login("clerk").await;
    let err = refused(
        &app,
        &clerk,
        &case,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
        403,
    )
    .await;
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(err.message.contains("中心负责人"), "{}", err.message);
}

#[tokio::test]
async fn a_grid_worker_cannot_make_any_transition() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let grid = app.login("grid").await;
    for command in [
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
        Command::NotAccept {
            reason: "x".to_owned(),
            route_told: LegalRoute::Litigation,
        },
    ] {
        let err = refused(&app, &grid, &case, command, 403).await;
        assert_eq!(err.kind, ErrorKind::Forbidden);
    }
}

#[tokio::test]
async fn a_mediator_cannot_close_another_mediators_case() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let handling = app.move_case(&mediator, &routed, Command::Accept).await;
    let other = app.login("mediator2").await;
    let err = refused(&app, &other, &handling, close(), 403).await;
    assert_eq!(err.kind, ErrorKind::Forbidden);
    // …and reads its parties masked.
    assert!(app.read_case(&other, case.id).await.parties_masked);
    // Nor may they add notes to it.
    let note = app
        .post_json(
            &format!("/api/cases/{}/notes", case.id),
            Some(&other),
            &NoteRequest {
                text: "x".to_owned(),
                public: false,
            },
        )
        .await;
    note.expect_status(403);
}

#[tokio::test]
async fn a_liaison_declines_and_the_case_returns_to_registered() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    assert_eq!(routed.handler_name.as_deref(), Some("派出所"));
    assert!(!app.read_case(&police, case.id).await.parties_masked);
    // Recalling a routing is the lead's; declining it is the department's.
    let err = refused(
        &app,
        &police,
        &routed,
        Command::Return {
            reason: "不属本所职责".to_owned(),
        },
        403,
    )
    .await;
    assert!(err.message.contains("只能由中心负责人"), "{}", err.message);
    let err = refused(
        &app,
        &lead,
        &routed,
        Command::Decline {
            reason: "不属本所职责".to_owned(),
        },
        403,
    )
    .await;
    assert!(err.message.contains("只能由承办单位"), "{}", err.message);
    let returned = app
        .move_case(
            &police,
            &routed,
            Command::Decline {
                reason: "不属本所职责".to_owned(),
            },
        )
        .await;
    assert_eq!(returned.stage, Stage::Registered);
    assert_eq!(returned.handler, None);
    let events = timeline(&app, &lead, case.id).await;
    let last = events.last().cloned();
    assert_eq!(last.as_ref().map(|e| e.kind), Some(EventKind::Declined));
    assert_eq!(
        last.as_ref().and_then(|e| e.text.as_deref()),
        Some("不属本所职责")
    );
    // The lead can route it again.
    app.move_case(
        &lead,
        &returned,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
}

#[tokio::test]
async fn declining_without_a_reason_is_refused() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    let err = refused(
        &app,
        &police,
        &routed,
        Command::Decline {
            reason: " ".to_owned(),
        },
        422,
    )
    .await;
    assert_eq!(err.fields[0].field, "command.reason");
}

#[tokio::test]
async fn closing_without_a_result_is_refused() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let handling = app.move_case(&lead, &routed, Command::Accept).await;
    let err = refused(
        &app,
        &lead,
        &handling,
        Command::Close {
            outcome: Outcome::Terminated,
            summary: String::new(),
            route_told: None,
        },
        422,
    )
    .await;
    let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"command.summary"), "{fields:?}");
    assert!(fields.contains(&"command.route_told"), "{fields:?}");
    // A body without the outcome at all is refused too, naming the command.
    let before = app.snapshot().await;
    let res = app
        .post_raw(
            &format!("/api/cases/{}/transitions", case.id),
            Some(&lead),
            &format!(
                r#"{{"version": {}, "command": {{"type": "close", "summary": "x"}}}}"#,
                handling.version
            ),
        )
        .await;
    res.expect_status(422);
    assert!(res.error().fields[0].field.starts_with("command"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_illegal_transition_is_refused_naming_the_command_type() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let err = refused(&app, &lead, &case, close(), 422).await;
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.fields[0].field, "command.type");
    assert_eq!(
        err.fields[0].reason,
        Reason::IllegalTransition {
            from: "registered".to_owned(),
            to: "closed".to_owned()
        }
    );
}

#[tokio::test]
async fn an_unknown_command_type_is_refused_naming_the_command_type() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let before = app.snapshot().await;
    let res = app
        .post_raw(
            &format!("/api/cases/{}/transitions", case.id),
            Some(&lead),
            &format!(
                r#"{{"version": {}, "command": {{"type": "teleport"}}}}"#,
                case.version
            ),
        )
        .await;
    res.expect_status(422);
    let err = res.error();
    assert_eq!(err.fields[0].field, "command.type", "{err:?}");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn routing_to_an_unknown_handler_is_refused() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    for handler in [
        HandlerRef::Mediator(999_999),
        HandlerRef::Department(999_999),
        // A user who is not a mediator.
        HandlerRef::Mediator(app.fixture.clerk),
    ] {
        let err = refused(&app, &lead, &case, route_to(handler), 422).await;
        assert_eq!(err.fields[0].field, "command.handler");
        assert_eq!(err.fields[0].reason, Reason::NoSuchItem);
    }
    let err = refused(
        &app,
        &lead,
        &case,
        Command::Route {
            handler: HandlerRef::Mediator(app.fixture.mediator),
            cooperating: vec![HandlerRef::Department(999_999)],
            note: String::new(),
        },
        422,
    )
    .await;
    assert_eq!(err.fields[0].field, "command.cooperating[0]");
}

#[tokio::test]
async fn a_stale_update_is_refused_with_the_current_case() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let clerk = app.login("clerk").await;
    // Both read version 1; the lead routes first.
    let first = app
        .transition(
            &lead,
            case.id,
            case.version,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    first.expect_status(200);
    let routed: CaseDetail = first.json();
    let before = app.snapshot().await;
    let second = app
        .transition(
            &clerk,
            case.id,
            case.version,
            Command::NotAccept {
                reason: "不属于受理范围".to_owned(),
                route_told: LegalRoute::Litigation,
            },
        )
        .await;
    second.expect_status(409);
    let err = second.error();
    assert_eq!(err.kind, ErrorKind::Conflict);
    let current = err.current.map(|c| *c);
    assert_eq!(current.as_ref().map(|c| c.version), Some(routed.version));
    assert_eq!(current.as_ref().map(|c| c.stage), Some(Stage::Routed));
    assert_eq!(
        app.snapshot()
            .await
            .into_iter()
            .filter(|(t, _)| *t != "access_log")
            .collect::<Vec<_>>(),
        before
            .into_iter()
            .filter(|(t, _)| *t != "access_log")
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn concurrent_updates_from_the_same_version_let_exactly_one_win() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let (a, b) = tokio::join!(
        app.transition(
            &lead,
            case.id,
            case.version,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        ),
        app.transition(
            &lead,
            case.id,
            case.version,
            route_to(HandlerRef::Mediator(app.fixture.mediator2)),
        ),
    );
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409], "{} / {}", a.text(), b.text());
    let events = timeline(&app, &lead, case.id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::Routed)
            .count(),
        1
    );
    assert_eq!(
        app.read_case(&lead, case.id).await.version,
        case.version + 1
    );
}

#[tokio::test]
async fn the_lead_reopens_a_closed_case_with_a_reason() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let handling = app.move_case(&lead, &routed, Command::Accept).await;
    let handling = app.agree_in_writing(handling.id).await;
    let closed = app.move_case(&lead, &handling, close()).await;
    let reopened = app
        .move_case(
            &lead,
            &closed,
            Command::Reopen {
                reason: "回访不满意".to_owned(),
            },
        )
        .await;
    assert_eq!(reopened.stage, Stage::InHandling);
    assert_eq!(reopened.outcome, None);
    assert_eq!(reopened.closed_at, None);
    let mediator = app.login("mediator").await;
    let err = refused(
        &app,
        &mediator,
        &app.move_case(&mediator, &reopened, close()).await,
        Command::Reopen {
            reason: "x".to_owned(),
        },
        403,
    )
    .await;
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

#[tokio::test]
async fn an_empty_note_is_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let case = registered(&app).await;
    let lead = app.login("lead").await;
    let before = app.snapshot().await;
    let res = app
        .post_json(
            &format!("/api/cases/{}/notes", case.id),
            Some(&lead),
            &NoteRequest {
                text: "  ".to_owned(),
                public: false,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "text");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_liaison_cannot_read_list_search_or_touch_another_departments_case() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let f = &app.fixture;
    // Judicial's case; police's own; a mediator's with police cooperating; an unrouted one.
    let judicial = registered(&app).await;
    let judicial = app
        .move_case(
            &lead,
            &judicial,
            route_to(HandlerRef::Department(f.judicial_office)),
        )
        .await;
    let own = registered(&app).await;
    let own = app
        .move_case(
            &lead,
            &own,
            route_to(HandlerRef::Department(f.police_station)),
        )
        .await;
    let joint = registered(&app).await;
    let joint = app
        .move_case(
            &lead,
            &joint,
            Command::Route {
                handler: HandlerRef::Mediator(f.mediator),
                cooperating: vec![HandlerRef::Department(f.police_station)],
                note: String::new(),
            },
        )
        .await;
    let unrouted = registered(&app).await;
    for hidden in [&judicial, &unrouted] {
        let id = hidden.id;
        app.get(&format!("/api/cases/{id}"), Some(&police))
            .await
            .expect_status(404);
        app.get(&format!("/api/cases/{id}/timeline"), Some(&police))
            .await
            .expect_status(404);
        let before = app.snapshot().await;
        app.transition(&police, id, hidden.version, Command::Accept)
            .await
            .expect_status(404);
        let note = NoteRequest {
            text: "看看".into(),
            public: false,
        };
        app.post_json(&format!("/api/cases/{id}/notes"), Some(&police), &note)
            .await
            .expect_status(404);
        assert_eq!(app.snapshot().await, before, "the database changed");
    }
    // The board, the list and a search hold only the department's own and joint cases.
    let board: shared::api::Board = app.get("/api/board", Some(&police)).await.json();
    let mut codes: Vec<&str> = board.cards.iter().map(|c| c.code.as_str()).collect();
    codes.sort_unstable();
    let mut expected = vec![own.code.as_str(), joint.code.as_str()];
    expected.sort_unstable();
    assert_eq!(codes, expected);
    let list: shared::api::Page<shared::model::CaseCard> = app
        .get("/api/cases?per_page=100", Some(&police))
        .await
        .json();
    assert_eq!(list.total, 2);
    assert!(
        list.items
            .iter()
            .all(|c| c.id == own.id || c.id == joint.id)
    );
    for q in [judicial.code.as_str(), "排水沟"] {
        let path = format!("/api/cases?q={}", urlencode(q));
        let found: shared::api::Page<shared::model::CaseCard> =
            app.get(&path, Some(&police)).await.json();
        assert!(
            found
                .items
                .iter()
                .all(|c| c.id != judicial.id && c.id != unrouted.id),
            "{q}"
        );
        let path = format!("/api/board?q={}", urlencode(q));
        let found: shared::api::Board = app.get(&path, Some(&police)).await.json();
        assert!(
            found
                .cards
                .iter()
                .all(|c| c.id != judicial.id && c.id != unrouted.id),
            "{q}"
        );
    }
    // A cooperating unit reads the joint case and adds progress, but cannot move it.
    app.get(&format!("/api/cases/{}", joint.id), Some(&police))
        .await
        .expect_status(200);
    let note = NoteRequest {
        text: "已联系双方".into(),
        public: false,
    };
    app.post_json(
        &format!("/api/cases/{}/notes", joint.id),
        Some(&police),
        &note,
    )
    .await
    .expect_status(201);
    let joint = app.read_case(&lead, joint.id).await;
    refused(&app, &police, &joint, Command::Accept, 403).await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

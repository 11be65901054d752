//! The mediation room against the real router on a fresh database: rooms, scheduling (clashes
//! of a room or a mediator refused by name, also when two bookings arrive together), 回避, the
//! tablet's sheet saved against its version, what a reader without the right to personal data
//! sees of it, ending a session with each outcome, cancelling, and every refusal by field.

use axum::http::Method;
use concord_tests::{TestApp, join_all};
use shared::ErrorKind;
use shared::mediation::{
    CaseSessions, CheckIn, DaySessions, EndSession, NewExclusion, NewSession, Room, RoomChange,
    SaveSheet, SessionDetail, SessionSheet, SheetSaved, Speaker, Turn,
};
use shared::model::{
    Attendance, CaseDetail, CaseEvent, EventKind, LegalRoute, RoomKind, SessionOutcome,
    SessionStatus,
};

/// A case of the sample in handling by `mediator` (its parties: 0 张三, applicant with a
/// phone; 1 李四, respondent with a phone).
async fn in_handling(app: &TestApp) -> CaseDetail {
    app.in_handling(&app.sample_case()).await
}

fn at(app: &TestApp, days: u64, h: u32, m: u32) -> Option<chrono::NaiveDateTime> {
    (app.state.config.today() + chrono::Days::new(days)).and_hms_opt(h, m, 0)
}

fn session(app: &TestApp, h: u32, room: usize) -> NewSession {
    NewSession {
        starts_at: at(app, 2, h, 0),
        minutes: 60,
        room_id: Some(app.fixture.rooms[room]),
        mediators: vec![app.fixture.mediator],
        parties: vec![0, 1],
        notify_parties: true,
    }
}

async fn put_json<T: serde::Serialize>(
    app: &TestApp,
    path: &str,
    cookie: &str,
    body: &T,
) -> concord_tests::TestResponse {
    app.send(
        Method::PUT,
        path,
        Some(cookie),
        Some("application/json"),
        serde_json::to_string(body).unwrap_or_default(),
    )
    .await
}

async fn schedule(app: &TestApp, cookie: &str, case: i64, s: &NewSession) -> SessionDetail {
    let res = app
        .post_json(&format!("/api/cases/{case}/sessions"), Some(cookie), s)
        .await;
    res.expect_status(201);
    res.json()
}

fn fields(res: &concord_tests::TestResponse) -> Vec<(String, String)> {
    res.error()
        .fields
        .into_iter()
        .map(|f| (f.field, f.message))
        .collect()
}

async fn timeline(app: &TestApp, cookie: &str, case: i64) -> Vec<CaseEvent> {
    let res = app
        .get(&format!("/api/cases/{case}/timeline"), Some(cookie))
        .await;
    res.expect_status(200);
    res.json()
}

#[tokio::test]
async fn a_room_or_a_mediator_booked_twice_is_refused_naming_the_clash() {
    let app = TestApp::new().await;
    let mediator = app.login("mediator").await;
    let lead = app.login("lead").await;
    let first = in_handling(&app).await;
    let second = in_handling(&app).await;
    let outbox = app.count("sms_outbox").await;
    let s = schedule(&app, &mediator, first.id, &session(&app, 9, 0)).await;
    assert_eq!(s.summary.status, SessionStatus::Scheduled);
    assert_eq!(s.summary.room.name, "第一调解室");
    assert_eq!(s.summary.mediators[0].name, "张调解");
    assert_eq!(s.parties.len(), 2);
    assert_eq!(s.parties[0].name, "张三");
    assert!(s.may_record);
    // A text message to each invited party with a phone.
    assert_eq!(app.count("sms_outbox").await, outbox + 2);

    // The same room at 09:30, with another mediator: the room clashes.
    let mut clash = session(&app, 9, 0);
    clash.starts_at = at(&app, 2, 9, 30);
    clash.mediators = vec![app.fixture.mediator2];
    let res = app
        .post_json(
            &format!("/api/cases/{}/sessions", second.id),
            Some(&lead),
            &clash,
        )
        .await;
    res.expect_status(422);
    let f = fields(&res);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "room_id");
    assert!(f[0].1.contains("第一调解室"), "{f:?}");
    assert!(f[0].1.contains(&first.code), "{f:?}");
    assert!(f[0].1.contains("09:00–10:00"), "{f:?}");

    // Another room, the same mediator: the mediator clashes.
    let mut clash = session(&app, 9, 1);
    clash.starts_at = at(&app, 2, 9, 45);
    let res = app
        .post_json(
            &format!("/api/cases/{}/sessions", second.id),
            Some(&lead),
            &clash,
        )
        .await;
    res.expect_status(422);
    let f = fields(&res);
    assert_eq!(f[0].0, "mediators");
    assert!(f[0].1.contains("张调解"), "{f:?}");
    assert!(f[0].1.contains(&first.code), "{f:?}");

    // Starting as the other ends is no clash; nor is another day.
    schedule(&app, &lead, second.id, &session(&app, 10, 0)).await;
    let mut tomorrow = session(&app, 9, 0);
    tomorrow.starts_at = at(&app, 1, 9, 0);
    tomorrow.notify_parties = false;
    schedule(&app, &lead, second.id, &tomorrow).await;
    assert_eq!(app.count("sms_outbox").await, outbox + 4);

    // The day view: both sessions of the day, earliest first, with the town's rooms.
    let day = app.state.config.today() + chrono::Days::new(2);
    let res = app
        .get(&format!("/api/sessions?day={day}"), Some(&lead))
        .await;
    res.expect_status(200);
    let d: DaySessions = res.json();
    assert_eq!(d.day, day);
    assert_eq!(d.rooms.len(), 5);
    let codes: Vec<&str> = d.sessions.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, [first.code.as_str(), second.code.as_str()]);
    let res = app.get("/api/sessions?day=2026-13-01", Some(&lead)).await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "day");

    // The case lists its sessions, and the schedule is noted on its timeline.
    let res = app
        .get(&format!("/api/cases/{}/sessions", second.id), Some(&lead))
        .await;
    res.expect_status(200);
    let c: CaseSessions = res.json();
    assert_eq!(c.sessions.len(), 2);
    assert!(c.sessions[0].starts_at < c.sessions[1].starts_at);
    assert!(c.may_schedule);
    assert_eq!(c.rooms.len(), 5);
    assert!(c.mediators.iter().any(|m| m.id == app.fixture.mediator2));
    let events = timeline(&app, &lead, second.id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::SessionScheduled)
            .count(),
        2
    );

    // Cancelling frees the room.
    let res = app
        .post_json(
            &format!("/api/sessions/{}/cancel", s.summary.id),
            Some(&mediator),
            &(),
        )
        .await;
    res.expect_status(200);
    let cancelled: SessionDetail = res.json();
    assert_eq!(cancelled.summary.status, SessionStatus::Cancelled);
    let mut again = session(&app, 9, 0);
    again.mediators = vec![app.fixture.mediator2];
    let booked = schedule(&app, &lead, second.id, &again).await;
    // The mediator booked by someone else is told, and told again when it is cancelled.
    let mediator2 = app.login("mediator2").await;
    let res = app.get("/api/notifications", Some(&mediator2)).await;
    res.expect_status(200);
    let list: shared::api::NotificationList = res.json();
    assert!(
        list.items.iter().any(
            |n| n.kind == shared::model::NotificationKind::SessionScheduled
                && n.text.contains("第一调解室")
        ),
        "{:?}",
        list.items
    );
    let res = app
        .post_json(
            &format!("/api/sessions/{}/cancel", booked.summary.id),
            Some(&lead),
            &(),
        )
        .await;
    res.expect_status(200);
    let res = app.get("/api/notifications", Some(&mediator2)).await;
    let list: shared::api::NotificationList = res.json();
    assert!(
        list.items
            .iter()
            .any(|n| n.kind == shared::model::NotificationKind::SessionCancelled)
    );
    let res = app
        .post_json(
            &format!("/api/sessions/{}/cancel", s.summary.id),
            Some(&mediator),
            &(),
        )
        .await;
    res.expect_status(409);
}

#[tokio::test]
async fn two_bookings_of_one_room_arriving_together_cannot_both_succeed() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(in_handling(&app).await);
    }
    let results = join_all(cases.iter().enumerate().map(|(i, c)| {
        let lead = lead.clone();
        let app = &app;
        async move {
            let mut s = session(app, 14, 2);
            // Mediators take turns, so that the room clashes for every one after the first.
            s.mediators = vec![if i % 2 == 0 {
                app.fixture.mediator
            } else {
                app.fixture.mediator2
            }];
            s.notify_parties = false;
            app.post_json(&format!("/api/cases/{}/sessions", c.id), Some(&lead), &s)
                .await
                .status
                .as_u16()
        }
    }))
    .await;
    let booked = results.iter().filter(|s| **s == 201).count();
    assert_eq!(booked, 1, "{results:?}");
    assert!(
        results.iter().all(|s| *s == 201 || *s == 422),
        "{results:?}"
    );
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mediation_sessions WHERE status = 'scheduled' AND room_id = $1",
    )
    .bind(app.fixture.rooms[2])
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap_or(-1);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn an_excluded_mediator_is_refused_for_the_case_sessions() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let clerk = app.login("clerk").await;
    let case = in_handling(&app).await;
    let path = format!("/api/cases/{}/exclusions", case.id);
    let exclusion = NewExclusion {
        user_id: Some(app.fixture.mediator2),
        reason: "系申请人表兄".into(),
    };
    // Only the handler or the lead records it.
    let res = app.post_json(&path, Some(&clerk), &exclusion).await;
    res.expect_status(403);
    let res = app
        .post_json(&path, Some(&lead), &NewExclusion::default())
        .await;
    res.expect_status(422);
    let names: Vec<String> = fields(&res).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["user_id", "reason"]);
    let res = app
        .post_json(
            &path,
            Some(&lead),
            &NewExclusion {
                user_id: Some(app.fixture.clerk),
                ..exclusion.clone()
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "user_id");

    let res = app.post_json(&path, Some(&mediator), &exclusion).await;
    res.expect_status(201);
    let c: CaseSessions = res.json();
    assert_eq!(c.exclusions.len(), 1);
    assert_eq!(c.exclusions[0].name, "赵调解");
    assert_eq!(c.exclusions[0].recorded_by, "张调解");
    let res = app.post_json(&path, Some(&lead), &exclusion).await;
    res.expect_status(422);

    let mut s = session(&app, 9, 0);
    s.mediators = vec![app.fixture.mediator, app.fixture.mediator2];
    let res = app
        .post_json(&format!("/api/cases/{}/sessions", case.id), Some(&lead), &s)
        .await;
    res.expect_status(422);
    let f = fields(&res);
    assert_eq!(f[0].0, "mediators");
    assert!(
        f[0].1.contains("赵调解") && f[0].1.contains("系申请人表兄"),
        "{f:?}"
    );
    let events = timeline(&app, &lead, case.id).await;
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::ExclusionRecorded)
    );

    // A mediator booked on a session still to come cannot be excluded until it is cancelled.
    schedule(&app, &lead, case.id, &session(&app, 9, 0)).await;
    let res = app
        .post_json(
            &path,
            Some(&lead),
            &NewExclusion {
                user_id: Some(app.fixture.mediator),
                reason: "与被申请人有经济往来".into(),
            },
        )
        .await;
    res.expect_status(422);
    assert!(fields(&res)[0].1.contains("cancel it first") || fields(&res)[0].1.contains("取消"));

    // Lifted, the mediator may be booked again.
    let res = app
        .send(
            Method::DELETE,
            &format!("{path}/{}", app.fixture.mediator2),
            Some(&lead),
            None,
            axum::body::Body::empty(),
        )
        .await;
    res.expect_status(200);
    let c: CaseSessions = res.json();
    assert!(c.exclusions.is_empty());
    let mut s = session(&app, 11, 1);
    s.mediators = vec![app.fixture.mediator2];
    schedule(&app, &lead, case.id, &s).await;
    let res = app
        .send(
            Method::DELETE,
            &format!("{path}/{}", app.fixture.mediator2),
            Some(&lead),
            None,
            axum::body::Body::empty(),
        )
        .await;
    res.expect_status(404);
}

#[tokio::test]
async fn scheduling_refuses_bad_input_by_field_and_changes_nothing() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let clerk = app.login("clerk").await;
    let case = in_handling(&app).await;
    let path = format!("/api/cases/{}/sessions", case.id);
    let before = app.count("mediation_sessions").await;
    let res = app
        .post_json(&path, Some(&lead), &NewSession::default())
        .await;
    res.expect_status(422);
    let names: Vec<String> = fields(&res).into_iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        ["starts_at", "minutes", "room_id", "mediators", "parties"]
    );
    let mut past = session(&app, 9, 0);
    past.starts_at = app
        .state
        .config
        .today()
        .pred_opt()
        .and_then(|d| d.and_hms_opt(9, 0, 0));
    let res = app.post_json(&path, Some(&lead), &past).await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "starts_at");
    let mut foreign = session(&app, 9, 0);
    foreign.room_id = Some(app.fixture.room_b);
    foreign.mediators = vec![app.fixture.clerk];
    foreign.parties = vec![0, 5];
    let res = app.post_json(&path, Some(&lead), &foreign).await;
    res.expect_status(422);
    let names: Vec<String> = fields(&res).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["room_id", "mediators", "parties"]);
    // Only the handler or the lead, and only in handling.
    let res = app
        .post_json(&path, Some(&clerk), &session(&app, 9, 0))
        .await;
    res.expect_status(403);
    let registered = app.register(&clerk, &app.sample_case()).await;
    let res = app
        .post_json(
            &format!("/api/cases/{}/sessions", registered.id),
            Some(&lead),
            &session(&app, 9, 0),
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "stage");
    let res = app
        .post_raw(&path, Some(&lead), r#"{"starts_at": "tomorrow"}"#)
        .await;
    res.expect_status(422);
    assert_eq!(app.count("mediation_sessions").await, before);
    // A room out of use takes no new sessions.
    let admin = app.login("admin").await;
    let res = put_json(
        &app,
        &format!("/api/rooms/{}", app.fixture.rooms[0]),
        &admin,
        &RoomChange {
            town_id: Some(app.fixture.town_a),
            name: "第一调解室".into(),
            kind: RoomKind::Mediation,
            active: false,
        },
    )
    .await;
    res.expect_status(200);
    let res = app
        .post_json(&path, Some(&lead), &session(&app, 9, 0))
        .await;
    res.expect_status(422);
    assert!(fields(&res)[0].1.contains("out of use") || fields(&res)[0].1.contains("停用"));
}

#[tokio::test]
async fn the_administrator_manages_the_rooms() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let lead = app.login("lead").await;
    let room = RoomChange {
        town_id: Some(app.fixture.town_a),
        name: "家事调解室".into(),
        kind: RoomKind::Mediation,
        active: true,
    };
    let res = app.post_json("/api/rooms", Some(&lead), &room).await;
    res.expect_status(403);
    assert_eq!(res.error().kind, ErrorKind::Forbidden);
    let res = app.post_json("/api/rooms", Some(&admin), &room).await;
    res.expect_status(201);
    let made: Room = res.json();
    assert_eq!(made.name, "家事调解室");
    let res = app.post_json("/api/rooms", Some(&admin), &room).await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "name");
    let res = app
        .post_json(
            "/api/rooms",
            Some(&admin),
            &RoomChange {
                town_id: Some(app.fixture.villages[0]),
                name: " ".into(),
                ..room.clone()
            },
        )
        .await;
    res.expect_status(422);
    let names: Vec<String> = fields(&res).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["name"]);
    let res = app
        .post_json(
            "/api/rooms",
            Some(&admin),
            &RoomChange {
                town_id: Some(app.fixture.villages[0]),
                ..room.clone()
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "town_id");
    // The town's staff see their rooms; the other town's are not theirs.
    let res = app.get("/api/rooms", Some(&lead)).await;
    let rooms: Vec<Room> = res.json();
    assert_eq!(rooms.len(), 6);
    assert!(rooms.iter().all(|r| r.town_id == app.fixture.town_a));
    let res = app.get("/api/rooms", Some(&admin)).await;
    let rooms: Vec<Room> = res.json();
    assert_eq!(rooms.len(), 11);
    let res = put_json(
        &app,
        &format!("/api/rooms/{}", made.id),
        &admin,
        &RoomChange {
            town_id: Some(app.fixture.town_b),
            ..room.clone()
        },
    )
    .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "town_id");
    let res = put_json(&app, "/api/rooms/99999", &admin, &room).await;
    res.expect_status(404);
}

fn sheet(app: &TestApp) -> SessionSheet {
    SessionSheet {
        started_at: Some(chrono::Utc::now()),
        consent_read: true,
        attendance: vec![
            CheckIn {
                position: 0,
                attendance: Attendance::Present,
                represented_by: String::new(),
            },
            CheckIn {
                position: 1,
                attendance: Attendance::Represented,
                represented_by: "王五".into(),
            },
        ],
        turns: vec![
            Turn {
                speaker: Speaker::Mediator {
                    user_id: app.fixture.mediator,
                },
                text: "请申请人张三陈述。".into(),
            },
            Turn {
                speaker: Speaker::Party { position: 0 },
                text: "李四家的排水沟堵了,我的电话13812345678,王五可以作证。".into(),
            },
        ],
    }
}

#[tokio::test]
async fn the_sheet_is_saved_against_its_version_and_masked_for_others() {
    let app = TestApp::new().await;
    let mediator = app.login("mediator").await;
    let leader = app.login("leader").await;
    let clerk = app.login("clerk").await;
    let case = in_handling(&app).await;
    let s = schedule(&app, &mediator, case.id, &session(&app, 9, 0)).await;
    let path = format!("/api/sessions/{}/sheet", s.summary.id);
    let res = put_json(
        &app,
        &path,
        &mediator,
        &SaveSheet {
            version: s.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(200);
    let saved: SheetSaved = res.json();
    assert_eq!(saved.status, SessionStatus::InProgress);
    assert!(saved.version > s.version);

    // Another device that still has the first version is refused, and nothing is lost.
    let mut other = sheet(&app);
    other.turns.truncate(1);
    let res = put_json(
        &app,
        &path,
        &mediator,
        &SaveSheet {
            version: s.version,
            sheet: other,
        },
    )
    .await;
    res.expect_status(409);
    let res = app
        .get(&format!("/api/sessions/{}", s.summary.id), Some(&mediator))
        .await;
    res.expect_status(200);
    let d: SessionDetail = res.json();
    assert_eq!(d.sheet.turns.len(), 2);
    assert_eq!(d.version, saved.version);
    assert_eq!(d.sheet.attendance[1].represented_by, "王五");
    assert!(d.sheet.turns[1].text.contains("13812345678"));

    // The town leader reads the session with names and numbers masked, and may not record.
    let res = app
        .get(&format!("/api/sessions/{}", s.summary.id), Some(&leader))
        .await;
    res.expect_status(200);
    let masked: SessionDetail = res.json();
    assert!(!masked.may_record);
    assert_eq!(masked.parties[0].name, "张某");
    assert!(masked.parties[0].masked);
    assert_eq!(masked.sheet.attendance[1].represented_by, "王某");
    let text = serde_json::to_string(&masked).unwrap_or_default();
    for secret in ["张三", "李四", "王五", "13812345678"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let res = put_json(
        &app,
        &path,
        &leader,
        &SaveSheet {
            version: saved.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(403);
    let res = put_json(
        &app,
        &path,
        &clerk,
        &SaveSheet {
            version: saved.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(403);

    // Bad sheets are refused by field.
    let mut bad = sheet(&app);
    bad.attendance[1].represented_by = String::new();
    bad.turns.push(Turn {
        speaker: Speaker::Mediator {
            user_id: app.fixture.mediator2,
        },
        text: "x".into(),
    });
    let res = put_json(
        &app,
        &path,
        &mediator,
        &SaveSheet {
            version: saved.version,
            sheet: bad,
        },
    )
    .await;
    res.expect_status(422);
    let names: Vec<String> = fields(&res).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["attendance[1].represented_by", "turns[2].speaker"]);
}

#[tokio::test]
async fn a_session_ends_with_its_outcome_once_everyone_is_checked_in() {
    let app = TestApp::new().await;
    let mediator = app.login("mediator").await;
    let lead = app.login("lead").await;
    let case = in_handling(&app).await;
    let s = schedule(&app, &mediator, case.id, &session(&app, 9, 0)).await;
    let end_path = format!("/api/sessions/{}/end", s.summary.id);
    let agreement = EndSession {
        version: s.version,
        outcome: Some(SessionOutcome::Agreement),
        route: None,
        next: None,
        note: String::new(),
    };
    // Not begun: the rights must be read first.
    let res = app.post_json(&end_path, Some(&mediator), &agreement).await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "consent_read");
    // Begun, with a party not checked in.
    let mut half = sheet(&app);
    half.attendance.truncate(1);
    let res = put_json(
        &app,
        &format!("/api/sessions/{}/sheet", s.summary.id),
        &mediator,
        &SaveSheet {
            version: s.version,
            sheet: half,
        },
    )
    .await;
    res.expect_status(200);
    let v: SheetSaved = res.json();
    let res = app
        .post_json(
            &end_path,
            Some(&mediator),
            &EndSession {
                version: v.version,
                ..agreement.clone()
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "attendance.1");
    let res = put_json(
        &app,
        &format!("/api/sessions/{}/sheet", s.summary.id),
        &mediator,
        &SaveSheet {
            version: v.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(200);
    let v: SheetSaved = res.json();
    // Terminated needs the route told; an old version is refused.
    let res = app
        .post_json(
            &end_path,
            Some(&mediator),
            &EndSession {
                version: v.version,
                outcome: Some(SessionOutcome::Terminated),
                ..agreement.clone()
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "route");
    let res = app
        .post_json(
            &end_path,
            Some(&mediator),
            &EndSession {
                version: s.version,
                ..agreement.clone()
            },
        )
        .await;
    res.expect_status(409);
    // To be continued: the next session is booked (and checked like any booking).
    let mut next = session(&app, 9, 0);
    next.starts_at = at(&app, 2, 9, 30);
    let res = app
        .post_json(
            &end_path,
            Some(&mediator),
            &EndSession {
                version: v.version,
                outcome: Some(SessionOutcome::Continued),
                next: Some(next),
                ..agreement.clone()
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(fields(&res)[0].0, "next.room_id");
    let res = app
        .post_json(
            &end_path,
            Some(&mediator),
            &EndSession {
                version: v.version,
                outcome: Some(SessionOutcome::Continued),
                next: Some(session(&app, 15, 1)),
                note: "双方同意下周再谈赔偿数额。".into(),
                route: None,
            },
        )
        .await;
    res.expect_status(200);
    let ended: SessionDetail = res.json();
    assert_eq!(ended.summary.status, SessionStatus::Ended);
    assert_eq!(ended.summary.outcome, Some(SessionOutcome::Continued));
    let next_id = ended.next_session_id.unwrap_or_default();
    let res = app
        .get(&format!("/api/sessions/{next_id}"), Some(&lead))
        .await;
    res.expect_status(200);
    let n: SessionDetail = res.json();
    assert_eq!(n.summary.status, SessionStatus::Scheduled);
    assert_eq!(n.summary.room.id, app.fixture.rooms[1]);
    // Ended, the sheet no longer changes.
    let res = put_json(
        &app,
        &format!("/api/sessions/{}/sheet", s.summary.id),
        &mediator,
        &SaveSheet {
            version: ended.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(409);
    let events = timeline(&app, &lead, case.id).await;
    let held = events
        .iter()
        .find(|e| e.kind == EventKind::SessionHeld)
        .map(|e| e.details.clone())
        .unwrap_or_default();
    assert!(
        held.iter()
            .any(|(k, v)| k == "outcome" && v == "择期继续调解"),
        "{held:?}"
    );
    assert!(held.iter().any(|(k, v)| k == "parties" && v == "2/2"));

    // The next session ends terminated, with the route told.
    let res = put_json(
        &app,
        &format!("/api/sessions/{next_id}/sheet"),
        &lead,
        &SaveSheet {
            version: n.version,
            sheet: sheet(&app),
        },
    )
    .await;
    res.expect_status(200);
    let v: SheetSaved = res.json();
    let res = app
        .post_json(
            &format!("/api/sessions/{next_id}/end"),
            Some(&lead),
            &EndSession {
                version: v.version,
                outcome: Some(SessionOutcome::Terminated),
                route: Some(LegalRoute::Litigation),
                next: None,
                note: String::new(),
            },
        )
        .await;
    res.expect_status(200);
    let done: SessionDetail = res.json();
    assert_eq!(done.route, Some(LegalRoute::Litigation));
}

#[tokio::test]
async fn a_case_left_unresolved_after_a_session_goes_on_the_joint_meeting_agenda() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let settled = in_handling(&app).await;
    let open = in_handling(&app).await;
    for (case, outcome) in [
        (&settled, SessionOutcome::Agreement),
        (&open, SessionOutcome::Terminated),
    ] {
        let mut s = session(&app, 9, 0);
        s.starts_at = at(&app, 0, 23, 30);
        s.minutes = 15;
        if case.id == open.id {
            s.room_id = Some(app.fixture.rooms[1]);
        }
        let s = schedule(&app, &mediator, case.id, &s).await;
        let res = put_json(
            &app,
            &format!("/api/sessions/{}/sheet", s.summary.id),
            &mediator,
            &SaveSheet {
                version: s.version,
                sheet: sheet(&app),
            },
        )
        .await;
        res.expect_status(200);
        let v: SheetSaved = res.json();
        let res = app
            .post_json(
                &format!("/api/sessions/{}/end", s.summary.id),
                Some(&mediator),
                &EndSession {
                    version: v.version,
                    outcome: Some(outcome),
                    route: (outcome == SessionOutcome::Terminated)
                        .then_some(LegalRoute::Arbitration),
                    next: None,
                    note: String::new(),
                },
            )
            .await;
        res.expect_status(200);
    }
    let today = app.state.config.today();
    let res = app
        .post_json(
            "/api/meetings",
            Some(&lead),
            &shared::meetings::NewMeeting {
                title: "调解未果案件研判会".into(),
                starts_at: (today + chrono::Days::new(1)).and_hms_opt(9, 0, 0),
                place: String::new(),
                period_from: Some(today - chrono::Days::new(30)),
                period_to: Some(today),
                departments: vec![app.fixture.judicial_office],
                people: vec![],
            },
        )
        .await;
    res.expect_status(201);
    let m: shared::meetings::MeetingDetail = res.json();
    let reasons = |id| {
        m.items
            .iter()
            .find(|i| i.case_id == id)
            .map(|i| i.reasons.clone())
    };
    assert_eq!(
        reasons(open.id),
        Some(vec![shared::model::AgendaReason::UnresolvedSession])
    );
    assert_eq!(reasons(settled.id), None);
}

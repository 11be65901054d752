//! Joint meetings (联席会议) against the real router on a fresh database: the agenda drawn
//! from the cases that need it, the lead adding and removing items, decisions that become
//! urgings (or tasks) on the cases' timelines, what each department sees, holding the meeting
//! with its minutes, 三调对接, and every refusal by field.

use concord_tests::TestApp;
use shared::ErrorKind;
use shared::api::NotificationList;
use shared::meetings::{
    AddItem, HoldMeeting, MeetingDetail, MeetingSummary, NewDecision, NewMeeting,
};
use shared::model::{
    AgendaReason, CaseDetail, CaseEvent, Channel, EventKind, HandlerRef, LegalRoute, MediationKind,
    MeetingStatus, Outcome, RiskLevel,
};
use shared::workflow::Command;

fn today(app: &TestApp) -> chrono::NaiveDate {
    app.state.config.today()
}

fn meeting(app: &TestApp) -> NewMeeting {
    let today = today(app);
    NewMeeting {
        title: "第四季度矛盾纠纷分析研判联席会议".into(),
        starts_at: (today + chrono::Days::new(3)).and_hms_opt(9, 30, 0),
        place: "综治中心会议室".into(),
        period_from: Some(today - chrono::Days::new(60)),
        period_to: Some(today),
        departments: vec![app.fixture.police_station, app.fixture.land_office],
        people: vec![app.fixture.mediator],
    }
}

fn route(handler: HandlerRef) -> Command {
    Command::Route {
        handler,
        cooperating: vec![],
        note: String::new(),
    }
}

/// The cases of the town: `overdue` (routed to the police station, past its due date),
/// `risky` (registered, high risk), `declined` (declined twice by the police station, back
/// with the center), `plain` (registered, nothing wrong).
struct Cases {
    overdue: CaseDetail,
    risky: CaseDetail,
    declined: CaseDetail,
    plain: CaseDetail,
}

async fn cases(app: &TestApp) -> Cases {
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let first = app.register(&clerk, &app.sample_case()).await;
    let overdue = app
        .move_case(
            &lead,
            &first,
            route(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    app.execute(&format!(
        "UPDATE cases SET due_on = '2020-01-01' WHERE id = {}",
        overdue.id
    ))
    .await;
    let mut high = app.sample_case();
    high.risk = RiskLevel::High;
    let risky = app.register(&clerk, &high).await;
    let mut declined = app.register(&clerk, &app.sample_case()).await;
    for _ in 0..2 {
        let routed = app
            .move_case(
                &lead,
                &declined,
                route(HandlerRef::Department(app.fixture.police_station)),
            )
            .await;
        declined = app
            .move_case(
                &police,
                &routed,
                Command::Decline {
                    reason: "不属本所职责".into(),
                },
            )
            .await;
    }
    let plain = app.register(&clerk, &app.sample_case()).await;
    Cases {
        overdue: app.read_case(&lead, overdue.id).await,
        risky,
        declined,
        plain,
    }
}

fn item_of(d: &MeetingDetail, case_id: i64) -> Option<&shared::meetings::AgendaItem> {
    d.items.iter().find(|i| i.case_id == case_id)
}

#[tokio::test]
async fn a_meeting_draws_its_agenda_and_its_decisions_become_urgings_on_the_cases() {
    let app = TestApp::new().await;
    let c = cases(&app).await;
    let lead = app.login("lead").await;
    let res = app
        .post_json("/api/meetings", Some(&lead), &meeting(&app))
        .await;
    res.expect_status(201);
    let m: MeetingDetail = res.json();
    assert_eq!(m.status, MeetingStatus::Scheduled);
    assert_eq!(m.departments.len(), 2);
    assert_eq!(m.people.len(), 1);
    // The agenda: the cases that need the meeting, with why; not the plain one.
    assert_eq!(
        item_of(&m, c.overdue.id).map(|i| i.reasons.clone()),
        Some(vec![AgendaReason::Overdue])
    );
    assert_eq!(
        item_of(&m, c.risky.id).map(|i| i.reasons.clone()),
        Some(vec![AgendaReason::HighRisk])
    );
    assert_eq!(
        item_of(&m, c.declined.id).map(|i| i.reasons.clone()),
        Some(vec![AgendaReason::DeclinedTwice])
    );
    assert!(item_of(&m, c.plain.id).is_none());
    assert_eq!(m.items.len(), 3);
    assert!(
        m.candidates.is_empty(),
        "every case that needs it is on the agenda"
    );
    // No party and no case text on the agenda.
    let text = serde_json::to_string(&m).unwrap_or_default();
    assert!(!text.contains("张三") && !text.contains("排水沟"), "{text}");

    // The lead takes one off (it becomes a candidate again) and adds the plain one by code.
    let path = format!("/api/meetings/{}", m.id);
    let risky_item = item_of(&m, c.risky.id).map(|i| i.id).unwrap_or_default();
    let res = app
        .send(
            axum::http::Method::DELETE,
            &format!("{path}/items/{risky_item}"),
            Some(&lead),
            None,
            Vec::new(),
        )
        .await;
    res.expect_status(200);
    let m: MeetingDetail = res.json();
    assert!(item_of(&m, c.risky.id).is_none());
    assert!(m.candidates.iter().any(|i| i.case_id == c.risky.id));
    let add = AddItem {
        code: c.plain.code.clone(),
    };
    let res = app
        .post_json(&format!("{path}/items"), Some(&lead), &add)
        .await;
    res.expect_status(201);
    let m: MeetingDetail = res.json();
    assert_eq!(
        item_of(&m, c.plain.id).map(|i| i.reasons.clone()),
        Some(vec![AgendaReason::Added])
    );
    // Twice, an unknown code, town B's case: refused on `code`.
    let lead_b = app.login("lead_b").await;
    let mut b = app.sample_case();
    b.village_id = app.fixture.village_b;
    b.area_id = None;
    b.group_id = None;
    let b_case = app.register(&lead_b, &b).await;
    for code in [c.plain.code.clone(), "ZZ-0000".into(), b_case.code.clone()] {
        let res = app
            .post_json(&format!("{path}/items"), Some(&lead), &AddItem { code })
            .await;
        res.expect_status(422);
        assert_eq!(res.error().fields[0].field, "code");
    }

    // A decision on the routed, overdue case: an urging to the police station, on the
    // timeline, the station told.
    let overdue_item = item_of(&m, c.overdue.id).map(|i| i.id).unwrap_or_default();
    let decision = NewDecision {
        item_id: overdue_item,
        who: HandlerRef::Department(app.fixture.police_station),
        what: "派出所三日内约谈双方,防止矛盾激化".into(),
        due_on: today(&app) + chrono::Days::new(3),
    };
    let res = app
        .post_json(&format!("{path}/decisions"), Some(&lead), &decision)
        .await;
    res.expect_status(201);
    let m: MeetingDetail = res.json();
    assert_eq!(m.decisions.len(), 1);
    assert!(m.decisions[0].urged);
    assert_eq!(m.decisions[0].who_name, "派出所");
    let case = app.read_case(&lead, c.overdue.id).await;
    assert_eq!(case.urgings.len(), 1);
    assert!(case.urgings[0].what.contains("约谈双方"));
    let timeline: Vec<CaseEvent> = app
        .get(
            &format!("/api/cases/{}/timeline", c.overdue.id),
            Some(&lead),
        )
        .await
        .json();
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == EventKind::MeetingDecision)
    );
    let police = app.login("police").await;
    let inbox: NotificationList = app.get("/api/notifications", Some(&police)).await.json();
    assert!(inbox.items.iter().any(|n| n.case_id == Some(c.overdue.id)));
    // On a case no handler holds: a task on its timeline, not an urging.
    let plain_item = item_of(&m, c.plain.id).map(|i| i.id).unwrap_or_default();
    let task = NewDecision {
        item_id: plain_item,
        who: HandlerRef::Mediator(app.fixture.mediator),
        what: "调解员下周入户了解情况".into(),
        ..decision.clone()
    };
    let res = app
        .post_json(&format!("{path}/decisions"), Some(&lead), &task)
        .await;
    res.expect_status(201);
    let m: MeetingDetail = res.json();
    assert!(!m.decisions[1].urged);
    assert!(app.read_case(&lead, c.plain.id).await.urgings.is_empty());
    // A decided item stays on the agenda.
    let res = app
        .send(
            axum::http::Method::DELETE,
            &format!("{path}/items/{plain_item}"),
            Some(&lead),
            None,
            Vec::new(),
        )
        .await;
    res.expect_status(409);

    // Refusals by field: an item of no agenda, someone not of the town, no text, a past date.
    let bad = NewDecision {
        item_id: 999_999,
        who: HandlerRef::Department(999),
        what: " ".into(),
        due_on: today(&app) - chrono::Days::new(1),
    };
    let res = app
        .post_json(&format!("{path}/decisions"), Some(&lead), &bad)
        .await;
    res.expect_status(422);
    let mut fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    fields.sort();
    assert_eq!(fields, vec!["due_on", "item_id", "what", "who"]);

    // Held: who came and the minutes; a stale version is refused, then the agenda is frozen.
    let hold = HoldMeeting {
        version: m.version - 1,
        departments_attended: vec![app.fixture.police_station],
        people_attended: vec![app.fixture.mediator],
        minutes: "会议分析了本季度矛盾纠纷态势,明确了三件重点案件的责任单位和时限。".into(),
    };
    let res = app
        .post_json(&format!("{path}/held"), Some(&lead), &hold)
        .await;
    res.expect_status(409);
    let uninvited = HoldMeeting {
        version: m.version,
        departments_attended: vec![app.fixture.tribunal],
        ..hold.clone()
    };
    let res = app
        .post_json(&format!("{path}/held"), Some(&lead), &uninvited)
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "departments_attended");
    let res = app
        .post_json(
            &format!("{path}/held"),
            Some(&lead),
            &HoldMeeting {
                version: m.version,
                ..hold.clone()
            },
        )
        .await;
    res.expect_status(200);
    let m: MeetingDetail = res.json();
    assert_eq!(m.status, MeetingStatus::Held);
    assert!(m.minutes.contains("三件重点案件"));
    let came: Vec<bool> = m.departments.iter().map(|d| d.attended).collect();
    assert_eq!(came, vec![true, false]);
    assert!(
        m.candidates.is_empty(),
        "a held meeting offers no candidates"
    );
    let res = app
        .post_json(
            &format!("{path}/items"),
            Some(&lead),
            &AddItem {
                code: c.risky.code.clone(),
            },
        )
        .await;
    res.expect_status(409);
    let res = app
        .post_json(
            &format!("{path}/held"),
            Some(&lead),
            &HoldMeeting {
                version: m.version,
                ..hold
            },
        )
        .await;
    res.expect_status(409);
    // The list.
    let list: Vec<MeetingSummary> = app.get("/api/meetings", Some(&lead)).await.json();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].items, list[0].decisions), (3, 2));
}

#[tokio::test]
async fn each_department_sees_its_own_items_and_others_are_refused() {
    let app = TestApp::new().await;
    let c = cases(&app).await;
    let lead = app.login("lead").await;
    let m: MeetingDetail = app
        .post_json("/api/meetings", Some(&lead), &meeting(&app))
        .await
        .json();
    let path = format!("/api/meetings/{}", m.id);
    // The police station's liaison is invited: only the station's case.
    let police = app.login("police").await;
    let seen: MeetingDetail = app.get(&path, Some(&police)).await.json();
    let ids: Vec<i64> = seen.items.iter().map(|i| i.case_id).collect();
    assert_eq!(ids, vec![c.overdue.id]);
    assert_eq!(seen.other_items, 2);
    assert!(seen.candidates.is_empty());
    let list: Vec<MeetingSummary> = app.get("/api/meetings", Some(&police)).await.json();
    assert_eq!((list.len(), list[0].items), (1, 1));
    // The invited mediator sees none of theirs; the one not invited sees no meeting.
    let mediator = app.login("mediator").await;
    let seen: MeetingDetail = app.get(&path, Some(&mediator)).await.json();
    assert!(seen.items.is_empty());
    let mediator2 = app.login("mediator2").await;
    app.get(&path, Some(&mediator2)).await.expect_status(404);
    let list: Vec<MeetingSummary> = app.get("/api/meetings", Some(&mediator2)).await.json();
    assert!(list.is_empty());
    // The town leader and the clerk read it whole; the grid worker not at all.
    for user in ["leader", "clerk"] {
        let cookie = app.login(user).await;
        let seen: MeetingDetail = app.get(&path, Some(&cookie)).await.json();
        assert_eq!(seen.items.len(), 3, "{user}");
    }
    let grid = app.login("grid").await;
    let res = app.get("/api/meetings", Some(&grid)).await;
    res.expect_status(403);
    assert_eq!(res.error().kind, ErrorKind::Forbidden);
    // Only the lead convenes and records.
    let clerk = app.login("clerk").await;
    app.post_json("/api/meetings", Some(&clerk), &meeting(&app))
        .await
        .expect_status(403);
    let item = m.items[0].id;
    let decision = NewDecision {
        item_id: item,
        who: HandlerRef::Department(app.fixture.police_station),
        what: "约谈".into(),
        due_on: today(&app),
    };
    app.post_json(&format!("{path}/decisions"), Some(&police), &decision)
        .await
        .expect_status(403);
    // Town B's lead does not find town A's meeting.
    let lead_b = app.login("lead_b").await;
    app.get(&path, Some(&lead_b)).await.expect_status(404);
}

#[tokio::test]
async fn a_bad_meeting_is_refused_by_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let res = app
        .post_json("/api/meetings", Some(&lead), &NewMeeting::default())
        .await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        vec!["title", "starts_at", "period_from", "departments"]
    );
    // Another town's department, someone of another town.
    let b_department: i64 = sqlx::query_scalar(&format!(
        "SELECT COALESCE(MAX(id), 0) + 100 FROM departments WHERE town_id = {}",
        app.fixture.town_a
    ))
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap_or(0);
    let lead_b_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'lead_b'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or(0);
    let mut foreign = meeting(&app);
    foreign.departments.push(b_department);
    foreign.people.push(lead_b_id);
    let res = app.post_json("/api/meetings", Some(&lead), &foreign).await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, vec!["departments", "people"]);
    // A time that is not one.
    let res = app
        .post_raw(
            "/api/meetings",
            Some(&lead),
            r#"{"title":"会","starts_at":"明天上午","period_from":"2026-01-01","period_to":"2026-02-01","departments":[1]}"#,
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "starts_at");
    assert_eq!(app.count("meetings").await, 0);
    assert_eq!(app.count("meeting_items").await, 0);
}

#[tokio::test]
async fn the_three_mediations_are_counted_for_the_meetings_period() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    // From the court (诉调对接) and from a village committee.
    let mut court = app.sample_case();
    court.channel = Channel::CourtDelegated;
    let court = app.register(&clerk, &court).await;
    let mut village = app.sample_case();
    village.channel = Channel::VillageCommittee;
    app.register(&clerk, &village).await;
    // To the tribunal (judicial), to the land office (administrative), to a mediator (people's).
    app.move_case(
        &lead,
        &court,
        route(HandlerRef::Department(app.fixture.tribunal)),
    )
    .await;
    let land = app.register(&clerk, &app.sample_case()).await;
    app.move_case(
        &lead,
        &land,
        route(HandlerRef::Department(app.fixture.land_office)),
    )
    .await;
    // Mediated without agreement, the parties told to go to court.
    let ended = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &ended,
            route(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let handling = app.move_case(&mediator, &routed, Command::Accept).await;
    app.move_case(
        &mediator,
        &handling,
        Command::Close {
            outcome: Outcome::Terminated,
            summary: "调解不成".into(),
            route_told: Some(LegalRoute::Litigation),
        },
    )
    .await;
    let m: MeetingDetail = app
        .post_json("/api/meetings", Some(&lead), &meeting(&app))
        .await
        .json();
    let row = |k: MediationKind| m.docking.iter().find(|r| r.kind == k).cloned();
    let judicial = row(MediationKind::Judicial).unwrap_or_else(|| panic!("{:?}", m.docking));
    assert_eq!(
        (judicial.came_from, judicial.routed_to, judicial.told_to),
        (1, 1, 1)
    );
    let people = row(MediationKind::People).unwrap_or_else(|| panic!("{:?}", m.docking));
    assert_eq!(
        (people.came_from, people.routed_to, people.told_to),
        (1, 1, 0)
    );
    let admin = row(MediationKind::Administrative).unwrap_or_else(|| panic!("{:?}", m.docking));
    assert_eq!((admin.came_from, admin.routed_to, admin.told_to), (0, 1, 0));
}

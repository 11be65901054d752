//! The reception log and the service log against the real router: a visit logged and listed
//! with its totals (a group of five flagged), every bad field refused by name, who logs and who
//! reads (town leaders masked, another town never), a visit that becomes a case (linked once),
//! services logged by those who give them and read by whom they should be.

use concord_tests::TestApp;
use shared::logs::{NewService, NewVisit, ServiceRecord, Services, Visit, Visits};
use shared::model::{CaseDetail, ServiceKind, VisitPurpose};

fn visit(purpose: VisitPurpose, people: u32) -> NewVisit {
    NewVisit {
        at: None,
        place: "来访大厅".into(),
        purpose,
        visitors: Some(people),
        name: "王五".into(),
        phone: Some("13700001111".into()),
        note: "王五反映征地补偿未兑现".into(),
        received_by: None,
        case_code: None,
    }
}

async fn log(app: &TestApp, cookie: &str, body: &NewVisit) -> Visit {
    let res = app.post_json("/api/visits", Some(cookie), body).await;
    res.expect_status(201);
    res.json()
}

#[tokio::test]
async fn visits_are_logged_listed_and_counted_with_groups_flagged() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let one = log(&app, &clerk, &visit(VisitPurpose::Consultation, 1)).await;
    assert!(!one.group);
    assert_eq!(one.received_by, "王受理");
    let group = log(&app, &clerk, &visit(VisitPurpose::Petition, 5)).await;
    assert!(group.group);
    let four = log(&app, &clerk, &visit(VisitPurpose::Dispute, 4)).await;
    assert!(!four.group);

    let list: Visits = app.get("/api/visits", Some(&clerk)).await.json();
    assert_eq!((list.entries, list.people, list.groups), (3, 10, 1));
    assert_eq!(
        list.items.iter().map(|v| v.id).collect::<Vec<_>>(),
        [four.id, group.id, one.id]
    );
    assert_eq!(list.items[0].phone.as_deref(), Some("13700001111"));

    // Yesterday's list is empty; a period backwards is refused by name.
    let today = app.state.config.today();
    let yesterday = today - chrono::Days::new(1);
    let old: Visits = app
        .get(
            &format!("/api/visits?from={yesterday}&to={yesterday}"),
            Some(&clerk),
        )
        .await
        .json();
    assert_eq!(old.entries, 0);
    let res = app
        .get(
            &format!("/api/visits?from={today}&to={yesterday}"),
            Some(&clerk),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "to");

    // A town leader reads the log masked; another town's lead sees none of it.
    let leader = app.login("leader").await;
    let masked: Visits = app.get("/api/visits", Some(&leader)).await.json();
    assert_eq!(masked.entries, 3);
    let json = serde_json::to_string(&masked).unwrap_or_default();
    assert!(
        !json.contains("王五") && !json.contains("13700001111"),
        "{json}"
    );
    assert_eq!(masked.items[0].name, "王某");
    let lead_b = app.login("lead_b").await;
    let other: Visits = app.get("/api/visits", Some(&lead_b)).await.json();
    assert_eq!(other.entries, 0);
    app.get(&format!("/api/visits/{}", one.id), Some(&lead_b))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn a_visit_refuses_each_bad_field_by_name_and_those_who_do_not_log() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let before = app.count("reception_visits").await;
    let now = chrono::Utc::now();
    let lead_b_case = {
        let lead_b = app.login("lead_b").await;
        let mut body = app.sample_case();
        body.village_id = app.fixture.village_b;
        body.area_id = None;
        body.group_id = None;
        app.register(&lead_b, &body).await
    };
    let cases: Vec<(&str, NewVisit)> = vec![
        (
            "at",
            NewVisit {
                at: Some(now + chrono::Duration::hours(2)),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        (
            "at",
            NewVisit {
                at: Some(now - chrono::Duration::days(8)),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        (
            "place",
            NewVisit {
                place: "  ".into(),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        ("visitors", visit(VisitPurpose::Dispute, 0)),
        ("visitors", visit(VisitPurpose::Dispute, 501)),
        (
            "phone",
            NewVisit {
                phone: Some("12345".into()),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        (
            "received_by",
            NewVisit {
                received_by: Some(app.fixture.lead_b),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        (
            "case_code",
            NewVisit {
                case_code: Some(lead_b_case.code.clone()),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
        (
            "case_code",
            NewVisit {
                case_code: Some("nonsense".into()),
                ..visit(VisitPurpose::Dispute, 1)
            },
        ),
    ];
    for (field, body) in cases {
        let res = app.post_json("/api/visits", Some(&clerk), &body).await;
        res.expect_status(422);
        assert_eq!(res.error().fields[0].field, field, "{}", res.text());
    }
    for who in ["mediator", "grid", "leader", "police"] {
        let cookie = app.login(who).await;
        app.post_json(
            "/api/visits",
            Some(&cookie),
            &visit(VisitPurpose::Dispute, 1),
        )
        .await
        .expect_status(403);
    }
    for who in ["mediator", "grid"] {
        let cookie = app.login(who).await;
        app.get("/api/visits", Some(&cookie))
            .await
            .expect_status(403);
    }
    assert_eq!(app.count("reception_visits").await, before);
}

#[tokio::test]
async fn a_visit_becomes_a_case_once() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let v = log(&app, &clerk, &visit(VisitPurpose::Petition, 1)).await;
    let mut body = app.sample_case();
    body.from_visit = Some(v.id);
    let case: CaseDetail = app.register(&clerk, &body).await;
    let linked: Visit = app
        .get(&format!("/api/visits/{}", v.id), Some(&clerk))
        .await
        .json();
    assert_eq!(linked.case.map(|c| c.id), Some(case.id));
    // A second case from the same visit is refused by name, and nothing is stored.
    let before = app.count("cases").await;
    let res = app.post_json("/api/cases", Some(&clerk), &body).await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "from_visit");
    assert_eq!(app.count("cases").await, before);

    // A visit about an existing case names it.
    let about = log(
        &app,
        &clerk,
        &NewVisit {
            case_code: Some(case.code.to_lowercase()),
            purpose: VisitPurpose::FollowUp,
            ..visit(VisitPurpose::FollowUp, 1)
        },
    )
    .await;
    assert_eq!(about.case.map(|c| c.code), Some(case.code));
}

fn service(kind: ServiceKind, minutes: u32) -> NewService {
    NewService {
        at: None,
        kind,
        person: "赵六".into(),
        given_by: None,
        minutes,
        note: String::new(),
        case_code: None,
    }
}

#[tokio::test]
async fn services_are_logged_by_those_who_give_them_and_read_as_they_should_be() {
    let app = TestApp::new().await;
    let mediator = app.login("mediator").await;
    let clerk = app.login("clerk").await;
    let res = app
        .post_json(
            "/api/services",
            Some(&mediator),
            &service(ServiceKind::LegalConsultation, 30),
        )
        .await;
    res.expect_status(201);
    let own: ServiceRecord = res.json();
    assert_eq!(own.given_by, "张调解");
    let res = app
        .post_json(
            "/api/services",
            Some(&clerk),
            &service(ServiceKind::Counselling, 45),
        )
        .await;
    res.expect_status(201);

    let all: Services = app.get("/api/services", Some(&clerk)).await.json();
    assert_eq!((all.legal, all.psychological, all.minutes), (1, 1, 75));
    // The mediator reads their own; a town leader all of them, the person masked.
    let mine: Services = app.get("/api/services", Some(&mediator)).await.json();
    assert_eq!(
        mine.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        [own.id]
    );
    let leader = app.login("leader").await;
    let masked: Services = app.get("/api/services", Some(&leader)).await.json();
    assert_eq!(masked.items.len(), 2);
    assert!(masked.items.iter().all(|s| s.person == "赵某"));

    // Bad fields by name; a mediator may not log for someone else; a grid worker or the
    // police liaison gives no services.
    for (field, body) in [
        ("minutes", service(ServiceKind::Counselling, 0)),
        ("minutes", service(ServiceKind::Counselling, 601)),
        (
            "given_by",
            NewService {
                given_by: Some(app.fixture.mediator2),
                ..service(ServiceKind::DocumentHelp, 20)
            },
        ),
    ] {
        let res = app.post_json("/api/services", Some(&mediator), &body).await;
        res.expect_status(422);
        assert_eq!(res.error().fields[0].field, field);
    }
    for who in ["grid", "police"] {
        let cookie = app.login(who).await;
        app.post_json(
            "/api/services",
            Some(&cookie),
            &service(ServiceKind::Counselling, 10),
        )
        .await
        .expect_status(403);
    }
    let grid = app.login("grid").await;
    app.get("/api/services", Some(&grid))
        .await
        .expect_status(403);
    // The clerk logs a service the second mediator gave.
    let res = app
        .post_json(
            "/api/services",
            Some(&clerk),
            &NewService {
                given_by: Some(app.fixture.mediator2),
                ..service(ServiceKind::LegalAidReferral, 15)
            },
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json::<ServiceRecord>().given_by, "赵调解");
}

#[tokio::test]
async fn only_the_lead_and_clerks_register_from_a_visit_and_notes_are_masked_with_the_cases_names()
{
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    // The sample case's parties are 张三 and 李四.
    let case = app.register(&clerk, &app.sample_case()).await;
    let v = log(
        &app,
        &clerk,
        &NewVisit {
            case_code: Some(case.code.clone()),
            note: "王五陪同张三来问李四的赔偿,电话13912345678".into(),
            ..visit(VisitPurpose::FollowUp, 2)
        },
    )
    .await;
    let leader = app.login("leader").await;
    let seen: Visit = app
        .get(&format!("/api/visits/{}", v.id), Some(&leader))
        .await
        .json();
    for secret in ["王五", "张三", "李四", "13912345678"] {
        assert!(!seen.note.contains(secret), "{secret} in {}", seen.note);
    }
    // A grid worker registers matters but not from the reception log.
    let fresh = log(&app, &clerk, &visit(VisitPurpose::Dispute, 1)).await;
    let grid = app.login("grid").await;
    let mut body = app.sample_case();
    body.from_visit = Some(fresh.id);
    let res = app.post_json("/api/cases", Some(&grid), &body).await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "from_visit");
}

#[tokio::test]
async fn the_logs_add_up_over_the_dashboards_period() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    log(&app, &clerk, &visit(VisitPurpose::Petition, 6)).await;
    log(&app, &clerk, &visit(VisitPurpose::Consultation, 1)).await;
    // Two days ago, logged after the rush.
    log(
        &app,
        &clerk,
        &NewVisit {
            at: Some(chrono::Utc::now() - chrono::Duration::days(2)),
            ..visit(VisitPurpose::Dispute, 2)
        },
    )
    .await;
    for (kind, minutes) in [
        (ServiceKind::LegalConsultation, 20),
        (ServiceKind::DocumentHelp, 30),
        (ServiceKind::Counselling, 50),
    ] {
        app.post_json("/api/services", Some(&clerk), &service(kind, minutes))
            .await
            .expect_status(201);
    }
    let lead = app.login("lead").await;
    let today = app.state.config.today();
    let week_ago = today - chrono::Days::new(7);
    let s: shared::logs::LogSummary = app
        .get(
            &format!("/api/logs/summary?from={week_ago}&to={today}"),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!(
        (
            s.visits,
            s.visitors,
            s.group_visits,
            s.legal_services,
            s.psychological_services
        ),
        (3, 9, 1, 2, 1)
    );
    assert_eq!(s.services(), 3);
    // Today alone: the visit two days ago is not in it.
    let s: shared::logs::LogSummary = app.get("/api/logs/summary", Some(&lead)).await.json();
    assert_eq!((s.visits, s.visitors), (2, 7));
    // A period of five years is allowed; more is refused by name.
    let long_ago = today - chrono::Days::new(5 * 366);
    let res = app
        .get(
            &format!("/api/logs/summary?from={long_ago}&to={today}"),
            Some(&lead),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "from");
    let grid = app.login("grid").await;
    app.get("/api/logs/summary", Some(&grid))
        .await
        .expect_status(403);
    let lead_b = app.login("lead_b").await;
    let other: shared::logs::LogSummary = app.get("/api/logs/summary", Some(&lead_b)).await.json();
    assert_eq!(other, shared::logs::LogSummary::default());
}

/// Forty registrations from one visit sent together: one case is stored, the others are
/// refused by name and leave nothing behind.
#[tokio::test]
async fn forty_registrations_from_one_visit_sent_together_make_one_case() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let v = log(&app, &clerk, &visit(VisitPurpose::Dispute, 1)).await;
    let before = app.count("cases").await;
    let mut body = app.sample_case();
    body.from_visit = Some(v.id);
    let answers = concord_tests::join_all((0..40).map(|_| {
        let (app, clerk, body) = (&app, &clerk, &body);
        async move {
            let res = app.post_json("/api/cases", Some(clerk), body).await;
            let field = (res.status == 422).then(|| res.error().fields[0].field.clone());
            (res.status.as_u16(), field)
        }
    }))
    .await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(s, f)| *s == 201 || (*s == 422 && f.as_deref() == Some("from_visit"))),
        "{answers:?}"
    );
    assert_eq!(app.count("cases").await, before + 1);
    let linked: Visit = app
        .get(&format!("/api/visits/{}", v.id), Some(&clerk))
        .await
        .json();
    assert!(linked.case.is_some());
}

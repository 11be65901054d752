//! The grid against the real router: the roster (the tree with covers, gaps, households and
//! history; changes refused by field; a change reaching cached case pages at once), visits
//! from the field (noted, settled on the spot, reported: each outcome and its case; photos
//! checked; a resend and twenty sends at once stored once), who reads what (town leaders
//! masked, grid workers their own), a grid worker's own units' cases and only those, and the
//! mediator roster as people (qualities, trainings, the suggestions following its edits).

use concord_tests::{TestApp, join_all};
use shared::api::Board;
use shared::grid::{
    Assign, GridRoster, GridVisit, GridVisits, MyGrid, NewGridVisit, SetHouseholds, VisitMatter,
    VisitPhoto,
};
use shared::model::{
    CaseDetail, CaseKind, Category, Channel, GridDuty, HandlerRef, Outcome, Quality, RiskLevel,
    RosterKind, Stage, VisitOutcome, VisitTag,
};
use shared::roster::{NewTraining, PeopleRoster, PersonForm, RosterPerson, Suggestions};

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn noted(app: &TestApp, key: &str, unit: i64) -> NewGridVisit {
    NewGridVisit {
        client_key: key.to_owned(),
        visited_on: app.state.config.today(),
        unit_id: unit,
        place: "渠口村一片 5 号户".to_owned(),
        met: "王大山".to_owned(),
        phone: Some("13600002222".to_owned()),
        findings: "王大山反映与邻居因排水沟争执,电话 13600002222。".to_owned(),
        tags: vec![VisitTag::Dispute],
        outcome: VisitOutcome::Noted,
        matter: None,
        photo: None,
    }
}

fn matter(result: Option<Outcome>) -> VisitMatter {
    VisitMatter {
        kind: CaseKind::Dispute,
        category: Category::Neighbour,
        risk: RiskLevel::Low,
        summary: "走访发现排水沟纠纷".to_owned(),
        request: "疏通排水沟".to_owned(),
        respondent: "李四".to_owned(),
        result,
        result_summary: if result.is_some() {
            "当场协商,双方同意明日共同疏通。".to_owned()
        } else {
            String::new()
        },
        repeat_of: None,
        not_repeat_of: vec![],
    }
}

async fn roster(app: &TestApp, cookie: &str) -> GridRoster {
    let res = app.get("/api/roster/grid", Some(cookie)).await;
    res.expect_status(200);
    res.json()
}

async fn post_visit(app: &TestApp, cookie: &str, v: &NewGridVisit) -> GridVisit {
    let res = app.post_json("/api/grid/visits", Some(cookie), v).await;
    res.expect_status(201);
    res.json()
}

fn refused_fields(res: &concord_tests::TestResponse) -> Vec<String> {
    res.expect_status(422);
    res.error().fields.into_iter().map(|f| f.field).collect()
}

#[tokio::test]
async fn the_roster_shows_the_tree_its_gaps_and_households_and_keeps_the_history() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let fx = app.fixture.clone();
    let r = roster(&app, &lead).await;
    assert!(r.may_edit);
    // Two villages, two areas each, two groups each: 14 units, in the tree's order.
    assert_eq!(r.units.len(), 14);
    assert_eq!(r.units[0].id, fx.villages[0]);
    assert_eq!(r.units[1].id, fx.areas[0][0]);
    assert_eq!(r.units[2].id, fx.groups[0][0][0]);
    // The fixture's town leader covers the first village and its grid worker the first area;
    // every other unit is a gap.
    assert_eq!(
        r.units[0].cover.as_ref().map(|c| c.name.as_str()),
        Some("孙镇长")
    );
    assert_eq!(r.units[0].duty, GridDuty::Village);
    assert_eq!(
        r.units[1].cover.as_ref().map(|c| c.name.as_str()),
        Some("陈网格")
    );
    assert_eq!(r.gaps, 12);
    assert!(r.units.iter().all(|u| u.unvisited));

    // Households on two groups add up; a bad number is refused by name.
    for (g, n) in [(fx.groups[0][0][0], 40), (fx.groups[0][0][1], 35)] {
        let res = app
            .put_json(
                &format!("/api/roster/units/{g}/households"),
                Some(&lead),
                &SetHouseholds {
                    households: Some(n),
                },
            )
            .await;
        res.expect_status(200);
    }
    let r = roster(&app, &lead).await;
    assert_eq!(r.households, 75);
    let res = app
        .put_json(
            &format!("/api/roster/units/{}/households", fx.groups[0][0][0]),
            Some(&lead),
            &serde_json::json!({ "households": 100_001 }),
        )
        .await;
    assert_eq!(refused_fields(&res), ["households"]);
    let res = app
        .put_json(
            &format!("/api/roster/units/{}/households", fx.village_b),
            Some(&lead),
            &SetHouseholds {
                households: Some(3),
            },
        )
        .await;
    res.expect_status(404);

    // A case in the first area names its grid worker; the grid worker hands the area over to
    // a second one from today: the roster keeps who covered it when, and the cached case page
    // names the new one at once.
    let case = app.register(&lead, &app.sample_case()).await;
    let before = app.read_case(&lead, case.id).await;
    assert!(before.grid.iter().any(|c| c.name == "陈网格"));
    app.execute(
        "INSERT INTO users (username, password_hash, display_name, role, town_id, active, created_at) \
         SELECT 'grid2', password_hash, '周网格', 'grid_worker', town_id, 1, created_at FROM users WHERE username = 'grid'",
    )
    .await;
    let grid2 = fx.grid + 100;
    app.execute(&format!(
        "UPDATE users SET id = {grid2} WHERE username = 'grid2'"
    ))
    .await;
    let today = app.state.config.today();
    // Dated back a year (the current cover began today): refused on `from`.
    let assign = |user: Option<i64>, unit: i64, from| Assign {
        unit_id: unit,
        user_id: user,
        from,
    };
    let res = app
        .post_json(
            "/api/roster/grid/assign",
            Some(&lead),
            &assign(Some(grid2), fx.areas[0][0], today - chrono::Days::new(365)),
        )
        .await;
    assert_eq!(refused_fields(&res), ["from"]);
    // So the current cover is moved back first (the fixture's began today), then handed over.
    app.execute(&format!(
        "UPDATE grid_assignments SET starts_on = '{}' WHERE unit_id = {}",
        today - chrono::Days::new(200),
        fx.areas[0][0]
    ))
    .await;
    let res = app
        .post_json(
            "/api/roster/grid/assign",
            Some(&lead),
            &assign(Some(grid2), fx.areas[0][0], today),
        )
        .await;
    res.expect_status(200);
    let r: GridRoster = res.json();
    let area = r
        .units
        .iter()
        .find(|u| u.id == fx.areas[0][0])
        .unwrap_or_else(|| panic!("no area"));
    assert_eq!(area.cover.as_ref().map(|c| c.name.as_str()), Some("周网格"));
    assert_eq!(area.history.len(), 1);
    assert_eq!(area.history[0].name, "陈网格");
    assert_eq!(area.history[0].from, today - chrono::Days::new(200));
    assert_eq!(area.history[0].until, today - chrono::Days::new(1));
    let after = app.read_case(&lead, case.id).await;
    assert!(
        after.grid.iter().any(|c| c.name == "周网格")
            && !after.grid.iter().any(|c| c.name == "陈网格"),
        "{:?}",
        after.grid
    );

    // Refusals by field: a unit of another town, a mediator for an area, a grid worker for a
    // village, the one covering it already, a day after today, leaving a gap uncovered.
    for (body, field) in [
        (assign(Some(grid2), fx.village_b, today), "unit_id"),
        (assign(Some(fx.mediator), fx.areas[0][1], today), "user_id"),
        (assign(Some(grid2), fx.villages[1], today), "user_id"),
        (assign(Some(grid2), fx.areas[0][0], today), "user_id"),
        (
            assign(Some(grid2), fx.areas[0][1], today + chrono::Days::new(1)),
            "from",
        ),
        (assign(None, fx.areas[0][1], today), "user_id"),
    ] {
        let res = app
            .post_json("/api/roster/grid/assign", Some(&lead), &body)
            .await;
        assert_eq!(refused_fields(&res), [field], "{body:?}");
    }
    // A grid worker reads the roster but may not change it; a mediator does not read it.
    let grid = app.login("grid").await;
    assert!(!roster(&app, &grid).await.may_edit);
    app.post_json(
        "/api/roster/grid/assign",
        Some(&grid),
        &assign(Some(grid2), fx.areas[0][1], today),
    )
    .await
    .expect_status(403);
    let mediator = app.login("mediator").await;
    app.get("/api/roster/grid", Some(&mediator))
        .await
        .expect_status(403);
    // Another town's lead sees their own town's tree only.
    let lead_b = app.login("lead_b").await;
    let rb = roster(&app, &lead_b).await;
    assert!(
        rb.units.iter().all(|u| u.id == fx.village_b),
        "{:?}",
        rb.units
    );
    // The month and window are checked.
    let res = app
        .get("/api/roster/grid?days=0&month=2026-13", Some(&lead))
        .await;
    assert_eq!(refused_fields(&res), ["days", "month"]);
}

#[tokio::test]
async fn a_visit_is_noted_settled_on_the_spot_or_reported_and_each_outcome_makes_its_case() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let grid = app.login("grid").await;
    let lead = app.login("lead").await;

    // Noted, in the worker's area and in a group of it.
    let a = post_visit(&app, &grid, &noted(&app, "visit-0001", fx.areas[0][0])).await;
    assert_eq!(a.outcome, VisitOutcome::Noted);
    assert!(a.case.is_none());
    assert_eq!(a.unit, "渠口村一片");
    let b = post_visit(&app, &grid, &noted(&app, "visit-0002", fx.groups[0][0][1])).await;
    assert_eq!(b.unit_id, fx.groups[0][0][1]);
    // Not in a unit they cover.
    let res = app
        .post_json(
            "/api/grid/visits",
            Some(&grid),
            &noted(&app, "visit-0003", fx.areas[0][1]),
        )
        .await;
    assert_eq!(refused_fields(&res), ["unit_id"]);

    // Settled on the spot: a case registered and closed at once, channel grid report.
    let mut spot = noted(&app, "visit-0004", fx.groups[0][0][0]);
    spot.outcome = VisitOutcome::Resolved;
    spot.matter = Some(matter(Some(Outcome::AgreementOral)));
    let settled = post_visit(&app, &grid, &spot).await;
    let code = settled
        .case
        .as_ref()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let case: CaseDetail = app
        .read_case(&lead, settled.case.as_ref().map_or(0, |c| c.id))
        .await;
    assert_eq!(case.code, code);
    assert_eq!(case.stage, Stage::Closed);
    assert_eq!(case.channel, Channel::GridReport);
    assert_eq!(case.outcome, Some(Outcome::AgreementOral));
    assert_eq!(case.group_id, Some(fx.groups[0][0][0]));
    assert_eq!(case.area_id, Some(fx.areas[0][0]));
    assert!(case.parties.iter().any(|p| p.name == "王大山"));

    // Reported: a registered case on the lead's board, with the visit's findings as facts.
    let mut report = noted(&app, "visit-0005", fx.areas[0][0]);
    report.findings = "王大山反映邻居李四堵塞排水沟,电话 13600002222。".to_owned();
    report.outcome = VisitOutcome::Reported;
    report.matter = Some(matter(None));
    let reported = post_visit(&app, &grid, &report).await;
    let id = reported.case.as_ref().map_or(0, |c| c.id);
    let case = app.read_case(&lead, id).await;
    assert_eq!(case.stage, Stage::Registered);
    assert!(case.facts.contains("堵塞排水沟"), "{}", case.facts);
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    assert!(board.cards.iter().any(|c| c.id == id));

    // Sent again after a lost answer: the same visit, no second case.
    let cases = app.count("cases").await;
    let res = app
        .post_json("/api/grid/visits", Some(&grid), &report)
        .await;
    res.expect_status(200);
    assert_eq!(res.json::<GridVisit>().id, reported.id);
    assert_eq!(app.count("cases").await, cases);

    // Bad input, each by name.
    let today = app.state.config.today();
    let mut bad = noted(&app, "short", fx.areas[0][0]);
    bad.visited_on = today + chrono::Days::new(1);
    bad.place = String::new();
    bad.phone = Some("123".into());
    bad.tags = vec![VisitTag::Nothing, VisitTag::Risk];
    let res = app.post_json("/api/grid/visits", Some(&grid), &bad).await;
    assert_eq!(
        refused_fields(&res),
        ["client_key", "visited_on", "place", "phone", "tags"]
    );
    let mut bad = noted(&app, "visit-0006", fx.areas[0][0]);
    bad.outcome = VisitOutcome::Resolved;
    bad.matter = Some(matter(None));
    let res = app.post_json("/api/grid/visits", Some(&grid), &bad).await;
    assert_eq!(
        refused_fields(&res),
        ["matter.result", "matter.result_summary"]
    );
    // Nothing was stored by the refusals.
    let stored = app.count("grid_visits").await;
    assert_eq!(stored, 4);

    // Who logs: not a mediator; a town leader notes visits in the village, but registers no
    // case (the workflow's registrars do).
    let mediator = app.login("mediator").await;
    app.post_json(
        "/api/grid/visits",
        Some(&mediator),
        &noted(&app, "visit-0007", fx.areas[0][0]),
    )
    .await
    .expect_status(403);
    let leader = app.login("leader").await;
    post_visit(
        &app,
        &leader,
        &noted(&app, "visit-0008", fx.groups[0][1][1]),
    )
    .await;
    let mut by_leader = noted(&app, "visit-0009", fx.villages[0]);
    by_leader.outcome = VisitOutcome::Reported;
    by_leader.matter = Some(matter(None));
    let res = app
        .post_json("/api/grid/visits", Some(&leader), &by_leader)
        .await;
    assert_eq!(refused_fields(&res), ["outcome"]);

    // Who reads: the lead all, unmasked; the town leader all, masked (the person met, the
    // phone and the case's parties, in the findings too); the grid worker their own.
    let all: GridVisits = app.get("/api/grid/visits", Some(&lead)).await.json();
    assert_eq!((all.items.len(), all.resolved, all.reported), (5, 1, 1));
    assert_eq!(all.items[0].met, "王大山");
    let masked: GridVisits = app.get("/api/grid/visits", Some(&leader)).await.json();
    assert_eq!(masked.items.len(), 5);
    let json = serde_json::to_string(&masked).unwrap_or_default();
    for secret in ["王大山", "李四", "13600002222"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    // The reported visit's findings name the case's respondent (李四) as its facts do: masked.
    assert!(
        masked
            .items
            .iter()
            .any(|v| v.case.is_some() && v.findings.contains("王某"))
    );
    let own: GridVisits = app.get("/api/grid/visits", Some(&grid)).await.json();
    assert_eq!(own.items.len(), 4);
    let by_unit: GridVisits = app
        .get(
            &format!("/api/grid/visits?unit={}", fx.areas[0][1]),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!(by_unit.items.len(), 1);
    let lead_b = app.login("lead_b").await;
    let other: GridVisits = app.get("/api/grid/visits", Some(&lead_b)).await.json();
    assert!(other.items.is_empty());

    // The roster counts the visits: the area and its village visited today, the worker's
    // month, the unvisited units fewer.
    let r = roster(&app, &lead).await;
    let area = r.units.iter().find(|u| u.id == fx.areas[0][0]);
    assert_eq!(
        area.map(|u| (u.visits, u.last_visit)),
        Some((4, Some(today)))
    );
    let village = r.units.iter().find(|u| u.id == fx.villages[0]);
    assert_eq!(village.map(|u| u.visits), Some(5));
    let worker = r.workers.iter().find(|w| w.user_id == fx.grid);
    assert_eq!(
        worker.map(|w| (w.visits, w.resolved, w.reported)),
        Some((4, 1, 1))
    );
    assert_eq!(r.unvisited, 14 - 6);
}

#[tokio::test]
async fn a_photo_is_kept_when_small_and_a_real_jpeg_or_png_and_served_to_its_readers() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let grid = app.login("grid").await;
    let jpeg: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0]
        .into_iter()
        .chain(std::iter::repeat_n(7u8, 2000))
        .collect();
    let mut v = noted(&app, "photo-0001", fx.areas[0][0]);
    v.photo = Some(VisitPhoto {
        content_type: "image/jpeg".into(),
        data: b64(&jpeg),
    });
    let kept = post_visit(&app, &grid, &v).await;
    assert!(kept.has_photo);
    let res = app
        .get(&format!("/api/grid/visits/{}/photo", kept.id), Some(&grid))
        .await;
    res.expect_status(200);
    assert_eq!(res.header("content-type"), Some("image/jpeg"));
    let lead = app.login("lead").await;
    let res = app
        .get(&format!("/api/grid/visits/{}/photo", kept.id), Some(&lead))
        .await;
    res.expect_status(200);
    let lead_b = app.login("lead_b").await;
    app.get(
        &format!("/api/grid/visits/{}/photo", kept.id),
        Some(&lead_b),
    )
    .await
    .expect_status(404);

    // Too large, not what it says, not an image, not base64: each refused on `photo`.
    let mut big = jpeg.clone();
    big.resize(shared::grid::PHOTO_MAX_BYTES + 10, 1);
    let cases = [
        ("image/jpeg", b64(&big)),
        ("image/png", b64(&jpeg)),
        ("image/gif", b64(b"GIF89a....")),
        ("image/jpeg", "%%%".to_owned()),
    ];
    for (i, (kind, data)) in cases.into_iter().enumerate() {
        let mut v = noted(&app, &format!("photo-bad-{i}"), fx.areas[0][0]);
        v.photo = Some(VisitPhoto {
            content_type: kind.into(),
            data,
        });
        let res = app.post_json("/api/grid/visits", Some(&grid), &v).await;
        assert_eq!(refused_fields(&res), ["photo"], "{kind}");
        assert!(
            !res.error().fields[0].message.is_empty(),
            "the refusal says why"
        );
    }
    assert_eq!(app.count("grid_visits").await, 1);
}

#[tokio::test]
async fn twenty_sends_of_one_reported_visit_together_make_one_visit_and_one_case() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let grid = app.login("grid").await;
    let cases = app.count("cases").await;
    let mut v = noted(&app, "herd-visit-01", fx.areas[0][0]);
    v.outcome = VisitOutcome::Reported;
    v.matter = Some(matter(None));
    let answers =
        join_all((0..20).map(|_| app.post_json("/api/grid/visits", Some(&grid), &v))).await;
    let mut ids = Vec::new();
    for res in &answers {
        assert!(
            matches!(res.status.as_u16(), 200 | 201),
            "{} {}",
            res.status,
            res.text()
        );
        ids.push(res.json::<GridVisit>().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        answers.iter().filter(|r| r.status.as_u16() == 201).count(),
        1
    );
    assert_eq!(app.count("grid_visits").await, 1);
    assert_eq!(app.count("cases").await, cases + 1);
}

#[tokio::test]
async fn a_grid_worker_sees_the_open_cases_of_their_own_units_and_only_those() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let lead = app.login("lead").await;
    let grid = app.login("grid").await;
    // One case in the worker's area (a group of it), one in the village's other area, one in
    // the other village, and one of theirs closed.
    let mine = app.register(&lead, &app.sample_case()).await;
    let mut other_area = app.sample_case();
    other_area.area_id = Some(fx.areas[0][1]);
    other_area.group_id = None;
    let other_area = app.register(&lead, &other_area).await;
    let mut other_village = app.sample_case();
    other_village.village_id = fx.villages[1];
    other_village.area_id = None;
    other_village.group_id = None;
    app.register(&lead, &other_village).await;
    let mut closed = app.sample_case();
    closed.closed_on_the_spot = Some(shared::api::ClosedOnTheSpot {
        outcome: Outcome::Explained,
        summary: "当场解释。".into(),
    });
    app.register(&lead, &closed).await;

    let res = app.get("/api/grid/mine", Some(&grid)).await;
    res.expect_status(200);
    let g: MyGrid = res.json();
    assert_eq!(g.cases.iter().map(|c| c.id).collect::<Vec<_>>(), [mine.id]);
    assert_eq!(g.units.len(), 1);
    assert_eq!(g.units[0].name, "渠口村一片");
    assert_eq!(g.units[0].within.len(), 3);
    // The town leader of the village sees both of its cases.
    let leader = app.login("leader").await;
    let l: MyGrid = app.get("/api/grid/mine", Some(&leader)).await.json();
    let mut ids: Vec<i64> = l.cases.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [mine.id, other_area.id]);
    // Summaries are masked for them (the sample's applicant is in none, so compare the
    // parties' names with the JSON).
    let json = serde_json::to_string(&g).unwrap_or_default();
    assert!(!json.contains("张三") && !json.contains("13812345678"));
    // Others have no grid of their own.
    app.get("/api/grid/mine", Some(&lead))
        .await
        .expect_status(403);
}

fn person(kind: RosterKind, name: &str) -> PersonForm {
    PersonForm {
        kind,
        name: name.to_owned(),
        phone: Some("13900005555".to_owned()),
        serves_unit_id: None,
        appointed_on: None,
        qualities: vec![Quality::Prestige, Quality::Legal],
        specialties: vec![Category::Neighbour],
        note: String::new(),
        active: true,
    }
}

#[tokio::test]
async fn the_mediator_roster_keeps_people_their_qualities_and_trainings_and_routing_follows_it() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let lead = app.login("lead").await;
    let res = app.get("/api/roster/people", Some(&lead)).await;
    res.expect_status(200);
    let r: PeopleRoster = res.json();
    assert!(r.may_edit);
    let names: Vec<&str> = r.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["张调解", "赵调解"]);
    let zhang = &r.people[0];
    assert_eq!(zhang.user_id, Some(fx.mediator));
    assert!(zhang.specialties.contains(&Category::MarriageFamily));

    // A legal helper of the first village, with a training.
    let mut helper = person(RosterKind::LegalHelper, "钱明白");
    helper.serves_unit_id = Some(fx.villages[0]);
    let res = app
        .post_json("/api/roster/people", Some(&lead), &helper)
        .await;
    res.expect_status(201);
    let added: RosterPerson = res.json();
    assert_eq!(added.serves, "渠口村调委会");
    let today = app.state.config.today();
    let res = app
        .post_json(
            &format!("/api/roster/people/{}/trainings", added.id),
            Some(&lead),
            &NewTraining {
                held_on: today,
                title: "《人民调解法》专题培训".into(),
                hours: 8,
            },
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json::<RosterPerson>().training_hours, 8);

    // The second mediator becomes a neighbour specialist serving the first village: a
    // neighbour case there now suggests... the first still (a specialist with the same load),
    // but an "other" case suggests the second first (serving the village).
    let zhao = r.people[1].clone();
    let mut form = person(RosterKind::Mediator, "ignored");
    form.serves_unit_id = Some(fx.villages[0]);
    form.specialties = vec![Category::Labour];
    form.qualities = vec![Quality::Experience];
    let res = app
        .put_json(
            &format!("/api/roster/people/{}", zhao.id),
            Some(&lead),
            &form,
        )
        .await;
    res.expect_status(200);
    let changed: RosterPerson = res.json();
    assert_eq!(changed.name, "赵调解", "an account's name is kept");
    assert_eq!(changed.qualities, [Quality::Experience]);
    let mut body = app.sample_case();
    body.category = Category::Other;
    let case = app.register(&lead, &body).await;
    let s: Suggestions = app
        .get(&format!("/api/cases/{}/suggestions", case.id), Some(&lead))
        .await
        .json();
    assert_eq!(s.suggestions[0].handler, HandlerRef::Mediator(fx.mediator2));
    assert!(s.suggestions[0].same_village);

    // Refusals by field, and by role.
    let mut bad = person(RosterKind::LegalHelper, " ");
    bad.phone = Some("555".into());
    bad.serves_unit_id = Some(fx.village_b);
    bad.appointed_on = Some(today + chrono::Days::new(3));
    let res = app.post_json("/api/roster/people", Some(&lead), &bad).await;
    assert_eq!(refused_fields(&res), ["name", "phone", "appointed_on"]);
    let res = app
        .post_json(
            "/api/roster/people",
            Some(&lead),
            &PersonForm {
                serves_unit_id: Some(fx.village_b),
                ..person(RosterKind::LegalHelper, "孙明白")
            },
        )
        .await;
    assert_eq!(refused_fields(&res), ["serves_unit_id"]);
    let mut kind = form.clone();
    kind.kind = RosterKind::LegalHelper;
    let res = app
        .put_json(
            &format!("/api/roster/people/{}", zhao.id),
            Some(&lead),
            &kind,
        )
        .await;
    assert_eq!(refused_fields(&res), ["kind"]);
    let res = app
        .post_json(
            &format!("/api/roster/people/{}/trainings", added.id),
            Some(&lead),
            &NewTraining {
                held_on: today + chrono::Days::new(1),
                title: String::new(),
                hours: 500,
            },
        )
        .await;
    assert_eq!(refused_fields(&res), ["held_on", "title", "hours"]);
    let mediator = app.login("mediator").await;
    app.post_json("/api/roster/people", Some(&mediator), &helper)
        .await
        .expect_status(403);
    // A mediator reads the roster with phones masked; another town's lead does not see it.
    let seen: PeopleRoster = app.get("/api/roster/people", Some(&mediator)).await.json();
    assert!(!seen.may_edit);
    let json = serde_json::to_string(&seen).unwrap_or_default();
    assert!(
        !json.contains("13900005555") && json.contains("139****5555"),
        "{json}"
    );
    let lead_b = app.login("lead_b").await;
    let other: PeopleRoster = app.get("/api/roster/people", Some(&lead_b)).await.json();
    assert!(other.people.is_empty());
    app.put_json(
        &format!("/api/roster/people/{}", added.id),
        Some(&lead_b),
        &helper,
    )
    .await
    .expect_status(404);
    let grid = app.login("grid").await;
    app.get("/api/roster/people", Some(&grid))
        .await
        .expect_status(403);
}

#[tokio::test]
async fn a_household_list_is_kept_by_whoever_covers_the_unit_and_masked_for_the_rest() {
    use shared::grid::{HouseholdForm, Households};
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let grid = app.login("grid").await;
    let group = fx.groups[0][0][1];
    let form = HouseholdForm {
        head: "王大山".into(),
        address: "渠口村一片二组 5 号".into(),
        phone: Some("13600002222".into()),
        members: Some(4),
        note: "王大山之母独居,需常看望。".into(),
    };
    // The grid worker covers the group's area: they add it.
    let res = app
        .post_json(
            &format!("/api/roster/units/{group}/household-list"),
            Some(&grid),
            &form,
        )
        .await;
    res.expect_status(201);
    let list: Households = res.json();
    assert!(list.may_edit);
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].head, "王大山");
    let id = list.items[0].id;
    // The area's list holds its groups' households.
    let area: Households = app
        .get(
            &format!("/api/roster/units/{}/household-list", fx.areas[0][0]),
            Some(&grid),
        )
        .await
        .json();
    assert_eq!(area.items.len(), 1);
    // Bad fields, by name; nothing stored.
    let res = app
        .put_json(
            &format!("/api/households/{id}"),
            Some(&grid),
            &HouseholdForm {
                head: String::new(),
                members: Some(99),
                ..form.clone()
            },
        )
        .await;
    assert_eq!(refused_fields(&res), ["head", "members"]);
    // The village's town leader covers it too; the lead reads it unmasked.
    let lead = app.login("lead").await;
    let seen: Households = app
        .get(
            &format!("/api/roster/units/{group}/household-list"),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!(seen.items[0].phone.as_deref(), Some("13600002222"));
    // A grid worker of another unit reads it masked and may not change it.
    app.execute(
        "INSERT INTO users (username, password_hash, display_name, role, town_id, active, created_at) \
         SELECT 'grid3', password_hash, '吴网格', 'grid_worker', town_id, 1, created_at FROM users WHERE username = 'grid'",
    )
    .await;
    let other = app.login("grid3").await;
    let masked: Households = app
        .get(
            &format!("/api/roster/units/{group}/household-list"),
            Some(&other),
        )
        .await
        .json();
    assert!(!masked.may_edit);
    let json = serde_json::to_string(&masked).unwrap_or_default();
    for secret in ["王大山", "13600002222", "5 号"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    app.send(
        axum::http::Method::DELETE,
        &format!("/api/households/{id}"),
        Some(&other),
        None,
        axum::body::Body::empty(),
    )
    .await
    .expect_status(403);
    // A mediator does not read lists; another town's lead finds no such unit.
    let mediator = app.login("mediator").await;
    app.get(
        &format!("/api/roster/units/{group}/household-list"),
        Some(&mediator),
    )
    .await
    .expect_status(403);
    let lead_b = app.login("lead_b").await;
    app.get(
        &format!("/api/roster/units/{group}/household-list"),
        Some(&lead_b),
    )
    .await
    .expect_status(404);
    app.send(
        axum::http::Method::DELETE,
        &format!("/api/households/{id}"),
        Some(&lead_b),
        None,
        axum::body::Body::empty(),
    )
    .await
    .expect_status(404);
    // Removed by the one who keeps it.
    let res = app
        .send(
            axum::http::Method::DELETE,
            &format!("/api/households/{id}"),
            Some(&grid),
            None,
            axum::body::Body::empty(),
        )
        .await;
    res.expect_status(200);
    assert!(res.json::<Households>().items.is_empty());
}

#[tokio::test]
async fn a_town_leader_reads_no_place_or_photo_and_the_roster_keeps_its_dates_in_order() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let grid = app.login("grid").await;
    let lead = app.login("lead").await;
    let leader = app.login("leader").await;
    let mut v = noted(&app, "place-0001", fx.areas[0][0]);
    v.place = "渠口村一片一组 5 号 王大山家".into();
    v.photo = Some(VisitPhoto {
        content_type: "image/jpeg".into(),
        data: b64(&[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
    });
    let logged = post_visit(&app, &grid, &v).await;
    // The town leader: the place masked, no photo (not even by its address).
    let masked: GridVisits = app.get("/api/grid/visits", Some(&leader)).await.json();
    assert_eq!(masked.items[0].place, "***");
    assert!(!masked.items[0].has_photo);
    app.get(
        &format!("/api/grid/visits/{}/photo", logged.id),
        Some(&leader),
    )
    .await
    .expect_status(404);
    let full: GridVisits = app.get("/api/grid/visits", Some(&lead)).await.json();
    assert_eq!(full.items[0].place, "渠口村一片一组 5 号 王大山家");

    // A unit left uncovered from a day cannot be given to someone from before that day.
    let today = app.state.config.today();
    app.execute(&format!(
        "UPDATE grid_assignments SET starts_on = '{}' WHERE unit_id = {}",
        today - chrono::Days::new(30),
        fx.areas[0][0]
    ))
    .await;
    let gap = Assign {
        unit_id: fx.areas[0][0],
        user_id: None,
        from: today - chrono::Days::new(10),
    };
    app.post_json("/api/roster/grid/assign", Some(&lead), &gap)
        .await
        .expect_status(200);
    let early = Assign {
        unit_id: fx.areas[0][0],
        user_id: Some(fx.grid),
        from: today - chrono::Days::new(11),
    };
    let res = app
        .post_json("/api/roster/grid/assign", Some(&lead), &early)
        .await;
    assert_eq!(refused_fields(&res), ["from"]);
    let back = Assign {
        from: today - chrono::Days::new(10),
        ..early
    };
    app.post_json("/api/roster/grid/assign", Some(&lead), &back)
        .await
        .expect_status(200);

    // The village handed to another town leader: escalations go to the new one.
    app.execute(
        "INSERT INTO users (username, password_hash, display_name, role, town_id, active, created_at) \
         SELECT 'leader2', password_hash, '钱镇长', 'town_leader', town_id, 1, created_at FROM users WHERE username = 'leader'",
    )
    .await;
    let leader2 = fx.leader + 200;
    app.execute(&format!(
        "UPDATE users SET id = {leader2} WHERE username = 'leader2'"
    ))
    .await;
    app.execute(&format!(
        "UPDATE grid_assignments SET starts_on = '{}' WHERE unit_id = {}",
        today - chrono::Days::new(30),
        fx.villages[0]
    ))
    .await;
    app.post_json(
        "/api/roster/grid/assign",
        Some(&lead),
        &Assign {
            unit_id: fx.villages[0],
            user_id: Some(leader2),
            from: today,
        },
    )
    .await
    .expect_status(200);
    let mut conn = app
        .state
        .db
        .pool
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let leaders = backend::db::supervision::town_leaders_of(&mut conn, fx.villages[0])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(leaders, [leader2]);
}

#[tokio::test]
async fn a_mediator_marked_inactive_on_the_roster_is_not_suggested() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let lead = app.login("lead").await;
    let r: PeopleRoster = app.get("/api/roster/people", Some(&lead)).await.json();
    let zhao = r
        .people
        .iter()
        .find(|p| p.user_id == Some(fx.mediator2))
        .unwrap_or_else(|| panic!("no 赵调解"))
        .clone();
    let form = PersonForm {
        kind: zhao.kind,
        name: zhao.name.clone(),
        phone: None,
        serves_unit_id: None,
        appointed_on: None,
        qualities: vec![],
        specialties: zhao.specialties.clone(),
        note: "电话 13900001111,长期外出。".into(),
        active: false,
    };
    app.put_json(
        &format!("/api/roster/people/{}", zhao.id),
        Some(&lead),
        &form,
    )
    .await
    .expect_status(200);
    let case = app.register(&lead, &app.sample_case()).await;
    let s: Suggestions = app
        .get(&format!("/api/cases/{}/suggestions", case.id), Some(&lead))
        .await
        .json();
    assert!(
        s.suggestions
            .iter()
            .all(|s| s.handler != HandlerRef::Mediator(fx.mediator2))
    );
    // The note's number is masked for a mediator reading the roster.
    let mediator = app.login("mediator").await;
    let seen: PeopleRoster = app.get("/api/roster/people", Some(&mediator)).await.json();
    let json = serde_json::to_string(&seen).unwrap_or_default();
    assert!(!json.contains("13900001111"), "{json}");
}

#[tokio::test]
async fn forty_handovers_of_one_unit_at_once_leave_one_current_cover() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let lead = app.login("lead").await;
    let today = app.state.config.today();
    // Forty hand the gap of the first group to the grid worker from today, together.
    let body = Assign {
        unit_id: fx.groups[0][0][0],
        user_id: Some(fx.grid),
        from: today,
    };
    let answers =
        join_all((0..40).map(|_| app.post_json("/api/roster/grid/assign", Some(&lead), &body)))
            .await;
    let ok = answers.iter().filter(|r| r.status.as_u16() == 200).count();
    assert_eq!(ok, 1);
    // The rest are told the worker covers it already.
    for r in answers.iter().filter(|r| r.status.as_u16() != 200) {
        assert_eq!(refused_fields(r), ["user_id"]);
    }
    let r = roster(&app, &lead).await;
    let group = r.units.iter().find(|u| u.id == fx.groups[0][0][0]);
    assert_eq!(
        group.and_then(|u| u.cover.as_ref()).map(|c| c.user_id),
        Some(fx.grid)
    );
    assert!(group.is_some_and(|u| u.history.is_empty()));
}

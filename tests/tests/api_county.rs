//! One county, many towns, against the real router: the county officer reads every town's
//! board and cases (parties masked), the county dashboard by town and each town's figures, and
//! may do nothing on a case but answer an escalation; a county department reads and answers
//! only its line's cases, in every town; a lead transfers a case to another town's center (the
//! timeline kept whole, both sides told, the sending town's board and reads lose it) or
//! escalates it to the county; and every endpoint in the OpenAPI document, tried by every role
//! of another town and by the county's roles with this town's ids, neither shows nor changes
//! anything of this town it may not.

use concord_tests::TestApp;
use shared::api::{Board, NotificationList};
use shared::county::{
    CountyEscalation, CountySummary, CountyText, TownInfo, TransferRequest, Transferred,
};
use shared::model::{CaseDetail, CaseEvent, EventKind, NotificationKind, Stage};

async fn timeline(app: &TestApp, cookie: &str, id: i64) -> Vec<CaseEvent> {
    let res = app
        .get(&format!("/api/cases/{id}/timeline"), Some(cookie))
        .await;
    res.expect_status(200);
    res.json()
}

async fn board(app: &TestApp, cookie: &str, query: &str) -> Board {
    let res = app.get(&format!("/api/board{query}"), Some(cookie)).await;
    res.expect_status(200);
    res.json()
}

async fn notifications(app: &TestApp, cookie: &str) -> NotificationList {
    let res = app.get("/api/notifications", Some(cookie)).await;
    res.expect_status(200);
    res.json()
}

fn fields(res: &concord_tests::TestResponse) -> Vec<String> {
    res.expect_status(422);
    res.error().fields.into_iter().map(|f| f.field).collect()
}

/// A case of town B (柳园镇), registered by its lead.
async fn town_b_case(app: &TestApp, lead_b: &str) -> CaseDetail {
    let mut body = app.sample_case();
    body.village_id = app.fixture.village_b;
    body.area_id = None;
    body.group_id = None;
    body.summary = "柳园村承包地边界纠纷".into();
    body.parties[0].name = "赵六".into();
    app.register(lead_b, &body).await
}

fn transfer_to(app: &TestApp, case: &CaseDetail, reason: &str) -> TransferRequest {
    TransferRequest {
        village_id: app.fixture.village_b,
        reason: reason.into(),
        version: case.version,
    }
}

#[tokio::test]
async fn the_county_officer_sees_every_town_masked_and_may_only_instruct() {
    let app = TestApp::new().await;
    let (lead, lead_b, county) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("county").await,
    );
    let a = app.register(&lead, &app.sample_case()).await;
    let b = town_b_case(&app, &lead_b).await;

    // A town's lead sees their own town only.
    let own = board(&app, &lead, "").await;
    assert_eq!(own.cards.iter().map(|c| c.id).collect::<Vec<_>>(), [a.id]);
    assert_eq!(own.cards[0].town_id, app.fixture.town_a);

    // The county board holds both towns' cards, each with its town, summaries masked.
    let all = board(&app, &county, "").await;
    let mut towns: Vec<(i64, i64)> = all.cards.iter().map(|c| (c.id, c.town_id)).collect();
    towns.sort_unstable();
    assert_eq!(
        towns,
        [(a.id, app.fixture.town_a), (b.id, app.fixture.town_b)]
    );
    let only_b = board(&app, &county, &format!("?town={}", app.fixture.town_b)).await;
    assert_eq!(
        only_b.cards.iter().map(|c| c.id).collect::<Vec<_>>(),
        [b.id]
    );
    // The revision is the towns' together: it moves when either town's does.
    let before = all.rev;
    town_b_case(&app, &lead_b).await;
    assert!(board(&app, &county, "").await.rev > before);

    // Any town's case page, parties masked; its town named.
    let page = app.read_case(&county, a.id).await;
    assert!(page.parties_masked);
    assert_eq!(page.parties[0].name, "张某");
    assert_eq!(page.town, "瓜州镇");
    assert!(
        !app.get(&format!("/api/cases/{}", a.id), Some(&county))
            .await
            .text()
            .contains("13812345678")
    );

    // Nothing to do on a case but instruct: no move, note, urging or escalation.
    app.transition(
        &county,
        a.id,
        page.version,
        shared::workflow::Command::Accept,
    )
    .await
    .expect_status(403);
    let urge = shared::api::NewUrging {
        what: "请尽快".into(),
        due_on: chrono::Utc::now().date_naive() + chrono::Duration::days(3),
    };
    app.post_json(
        &format!("/api/cases/{}/urgings", a.id),
        Some(&county),
        &urge,
    )
    .await
    .expect_status(403);
    let text = CountyText {
        text: "请县司法局协调。".into(),
    };
    app.post_json(
        &format!("/api/cases/{}/county-escalation", a.id),
        Some(&county),
        &text,
    )
    .await
    .expect_status(403);
    app.post_json(
        &format!("/api/cases/{}/transfer", a.id),
        Some(&county),
        &transfer_to(&app, &page, "错报"),
    )
    .await
    .expect_status(403);
    // Nor register a case.
    app.post_json("/api/cases", Some(&county), &app.sample_case())
        .await
        .expect_status(403);
}

#[tokio::test]
async fn the_county_dashboard_counts_each_town_and_only_the_county_reads_it() {
    let app = TestApp::new().await;
    let (lead, lead_b, county) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("county").await,
    );
    app.register(&lead, &app.sample_case()).await;
    app.register(&lead, &app.sample_case()).await;
    town_b_case(&app, &lead_b).await;
    let res = app.get("/api/county/summary", Some(&county)).await;
    res.expect_status(200);
    let summary: CountySummary = res.json();
    let line = |town: i64| {
        summary
            .towns
            .iter()
            .find(|t| t.town_id == town)
            .cloned()
            .unwrap_or_else(|| panic!("no line for town {town}: {summary:?}"))
    };
    let (a, b) = (line(app.fixture.town_a), line(app.fixture.town_b));
    assert_eq!((a.town.as_str(), a.open, a.registered), ("瓜州镇", 2, 2));
    assert_eq!((b.town.as_str(), b.open, b.registered), ("柳园镇", 1, 1));
    assert_eq!(summary.total.open, 3);
    assert_eq!(summary.total.registered, 3);
    assert_eq!(
        (summary.today - summary.from).num_days(),
        29,
        "thirty days by default"
    );

    for user in ["lead", "lead_b", "admin", "clerk"] {
        let c = app.login(user).await;
        app.get("/api/county/summary", Some(&c))
            .await
            .expect_status(403);
    }
    assert_eq!(
        fields(
            &app.get("/api/county/summary?from=2099-01-01", Some(&county))
                .await
        ),
        ["from"]
    );
    assert_eq!(
        fields(
            &app.get("/api/county/summary?from=2020-01-01", Some(&county))
                .await
        ),
        ["from"]
    );
    // Every town with its villages, for the transfer dialog.
    let towns: Vec<TownInfo> = app.get("/api/towns", Some(&lead)).await.json();
    let b_town = towns
        .iter()
        .find(|t| t.id == app.fixture.town_b)
        .unwrap_or_else(|| panic!("no town B in {towns:?}"));
    assert_eq!(b_town.villages[0].id, app.fixture.village_b);
}

#[tokio::test]
async fn a_transfer_moves_the_case_to_the_other_town_whole_and_tells_both() {
    let app = TestApp::new().await;
    let (lead, lead_b, clerk) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("clerk").await,
    );
    let case = app.register(&clerk, &app.sample_case()).await;
    // Routed to a mediator and waiting for their answer: still transferable.
    let routed = app
        .move_case(
            &lead,
            &case,
            shared::workflow::Command::Route {
                handler: shared::model::HandlerRef::Mediator(app.fixture.mediator),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    // The board is cached before the transfer: it must lose the card after.
    assert_eq!(board(&app, &lead, "").await.cards.len(), 1);

    let res = app
        .post_json(
            &format!("/api/cases/{}/transfer", case.id),
            Some(&lead),
            &transfer_to(&app, &routed, "当事人户籍及争议土地均在柳园镇"),
        )
        .await;
    res.expect_status(200);
    let done: Transferred = res.json();
    assert_eq!(
        (done.town_id, done.town.as_str()),
        (app.fixture.town_b, "柳园镇")
    );

    // Town A no longer has it: not on the board, not readable.
    assert!(board(&app, &lead, "").await.cards.is_empty());
    app.get(&format!("/api/cases/{}", case.id), Some(&lead))
        .await
        .expect_status(404);
    // Town B has it, registered in its village, no handler, its timeline whole.
    let there = app.read_case(&lead_b, case.id).await;
    assert_eq!(there.stage, Stage::Registered);
    assert_eq!(there.town_id, app.fixture.town_b);
    assert_eq!(there.village_id, app.fixture.village_b);
    assert!(there.handler.is_none() && there.area_id.is_none());
    assert!(!there.parties_masked, "the receiving lead sees the parties");
    let steps: Vec<EventKind> = timeline(&app, &lead_b, case.id)
        .await
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        steps,
        [
            EventKind::Registered,
            EventKind::Routed,
            EventKind::Transferred
        ]
    );
    let last = timeline(&app, &lead_b, case.id).await.pop();
    let text = last.and_then(|e| e.text).unwrap_or_default();
    assert!(text.contains("柳园镇"), "{text}");
    assert_eq!(
        board(&app, &lead_b, "")
            .await
            .cards
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [case.id]
    );
    // Both sides told: town B's lead (with the case); the mediator who was asked (without
    // it: they no longer read it).
    let inbox = notifications(&app, &lead_b).await;
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::TransferredIn && n.case_id == Some(case.id))
    );
    let mediator = app.login("mediator").await;
    let told = notifications(&app, &mediator).await;
    let out = told
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::TransferredOut)
        .unwrap_or_else(|| panic!("the mediator was not told: {told:?}"));
    assert_eq!(out.case_id, None);
    assert!(out.text.contains(&case.code) && out.text.contains("柳园镇"));
    app.get(&format!("/api/cases/{}", case.id), Some(&mediator))
        .await
        .expect_status(404);
    // And it can come back the same way, to a village of town A.
    let back = TransferRequest {
        village_id: app.fixture.villages[1],
        reason: "经核实仍属瓜州镇".into(),
        version: there.version,
    };
    app.post_json(
        &format!("/api/cases/{}/transfer", case.id),
        Some(&lead_b),
        &back,
    )
    .await
    .expect_status(200);
    assert_eq!(
        app.read_case(&lead, case.id).await.town_id,
        app.fixture.town_a
    );
}

#[tokio::test]
async fn a_transfer_is_refused_by_name() {
    let app = TestApp::new().await;
    let (lead, lead_b, clerk) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("clerk").await,
    );
    let case = app.register(&clerk, &app.sample_case()).await;
    let path = format!("/api/cases/{}/transfer", case.id);
    let good = transfer_to(&app, &case, "不属本镇");
    // Only the lead of the case's town.
    app.post_json(&path, Some(&clerk), &good)
        .await
        .expect_status(403);
    app.post_json(&path, Some(&lead_b), &good)
        .await
        .expect_status(404);
    // Bad values, each by name.
    let mut bad = good.clone();
    bad.reason = "  ".into();
    assert_eq!(
        fields(&app.post_json(&path, Some(&lead), &bad).await),
        ["reason"]
    );
    for village in [app.fixture.villages[0], app.fixture.town_b, 999_999] {
        let mut bad = good.clone();
        bad.village_id = village;
        assert_eq!(
            fields(&app.post_json(&path, Some(&lead), &bad).await),
            ["village_id"],
            "village {village}"
        );
    }
    // A stale read.
    let mut stale = good.clone();
    stale.version -= 1;
    app.post_json(&path, Some(&lead), &stale)
        .await
        .expect_status(409);
    // Nothing moved meanwhile.
    let still = app.read_case(&lead, case.id).await;
    assert_eq!(still.town_id, app.fixture.town_a);
    // In handling: no longer transferable.
    let handled = app.in_handling(&app.sample_case()).await;
    assert_eq!(
        fields(
            &app.post_json(
                &format!("/api/cases/{}/transfer", handled.id),
                Some(&lead),
                &transfer_to(&app, &handled, "不属本镇"),
            )
            .await
        ),
        ["stage"]
    );
}

#[tokio::test]
async fn an_escalation_waits_on_the_county_board_until_the_county_instructs() {
    let app = TestApp::new().await;
    let (lead, county, clerk) = (
        app.login("lead").await,
        app.login("county").await,
        app.login("clerk").await,
    );
    let case = app.register(&clerk, &app.sample_case()).await;
    let other = app.register(&clerk, &app.sample_case()).await;
    let up = format!("/api/cases/{}/county-escalation", case.id);
    let down = format!("/api/cases/{}/county-instruction", case.id);
    let text = |t: &str| CountyText { text: t.into() };

    app.post_json(&up, Some(&clerk), &text("涉及多个部门"))
        .await
        .expect_status(403);
    assert_eq!(
        fields(&app.post_json(&up, Some(&lead), &text(" ")).await),
        ["text"]
    );
    // Nothing to instruct on yet.
    app.post_json(&down, Some(&county), &text("请协调"))
        .await
        .expect_status(409);

    let res = app
        .post_json(&up, Some(&lead), &text("涉及县直多个部门,张三情绪激动"))
        .await;
    res.expect_status(201);
    let escalation: CountyEscalation = res.json();
    assert!(escalation.is_pending());
    app.post_json(&up, Some(&lead), &text("再次上报"))
        .await
        .expect_status(409);

    // The county is told, and its board can show the waiting ones alone.
    let inbox = notifications(&app, &county).await;
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::CountyEscalated && n.case_id == Some(case.id))
    );
    let waiting = board(&app, &county, "?county=true").await;
    assert_eq!(
        waiting.cards.iter().map(|c| c.id).collect::<Vec<_>>(),
        [case.id]
    );
    assert!(waiting.cards[0].county_pending);
    assert!(
        !board(&app, &county, "")
            .await
            .cards
            .iter()
            .any(|c| c.id == other.id && c.county_pending)
    );
    // The county reads the reason masked.
    let page = app.read_case(&county, case.id).await;
    assert!(page.county[0].reason.contains("张某"), "{:?}", page.county);
    assert!(!page.county[0].reason.contains("张三"));

    // The lead may not instruct; the county does, once.
    app.post_json(&down, Some(&lead), &text("自己批示"))
        .await
        .expect_status(403);
    let res = app
        .post_json(
            &down,
            Some(&county),
            &text("请县司法局牵头,三日内召开联席会议。"),
        )
        .await;
    res.expect_status(200);
    let answered: CountyEscalation = res.json();
    assert!(!answered.is_pending());
    assert_eq!(answered.instructed_by.as_deref(), Some("马书记"));
    app.post_json(&down, Some(&county), &text("再批"))
        .await
        .expect_status(409);
    // The lead is told and reads it on the case and its timeline.
    assert!(
        notifications(&app, &lead)
            .await
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::CountyInstructed)
    );
    let page = app.read_case(&lead, case.id).await;
    assert_eq!(
        page.county[0].instruction.as_deref(),
        Some("请县司法局牵头,三日内召开联席会议。")
    );
    let kinds: Vec<EventKind> = timeline(&app, &lead, case.id)
        .await
        .iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.ends_with(&[EventKind::CountyEscalated, EventKind::CountyInstructed]));
    assert!(board(&app, &county, "?county=true").await.cards.is_empty());
    // It may be escalated again later.
    app.post_json(&up, Some(&lead), &text("协调未果,再次上报"))
        .await
        .expect_status(201);
}

/// Town A's markers: what must never reach town B.
const SECRETS: [&str; 4] = [
    "张三",
    "13812345678",
    "邻里排水沟纠纷",
    "11010519491231002X",
];

/// Town B's people of every role but the lead (the fixture has its lead): a clerk, a
/// mediator, a police-station liaison, a grid worker and a town leader, with the fixture's
/// password.
async fn town_b_people(app: &TestApp) -> Vec<&'static str> {
    let fx = &app.fixture;
    app.execute(&format!(
        "INSERT INTO departments (town_id, name, kind, response_days, active) \
         VALUES ({}, '柳园派出所', 'police', 3, 1)",
        fx.town_b
    ))
    .await;
    let people = [
        ("clerk_b", "clerk", "NULL", "NULL"),
        ("mediator_b", "mediator", "NULL", "village"),
        ("police_b", "liaison", "station", "NULL"),
        ("grid_b", "grid_worker", "NULL", "NULL"),
        ("leader_b", "town_leader", "NULL", "village"),
    ];
    for (username, role, department, unit) in people {
        let department = if department == "station" {
            "(SELECT id FROM departments WHERE name = '柳园派出所')".to_owned()
        } else {
            department.to_owned()
        };
        let unit = if unit == "village" {
            fx.village_b.to_string()
        } else {
            unit.to_owned()
        };
        app.execute(&format!(
            "INSERT INTO users (username, password_hash, display_name, role, town_id, \
             department_id, org_unit_id, active, created_at) \
             SELECT '{username}', password_hash, '{username}', '{role}', town_id, {department}, \
             {unit}, 1, created_at FROM users WHERE username = 'lead_b'"
        ))
        .await;
    }
    people.iter().map(|p| p.0).collect()
}

#[tokio::test]
async fn every_endpoint_keeps_one_towns_data_from_every_role_of_another_town_and_the_county() {
    let app = TestApp::new().await;
    let (lead, clerk) = (app.login("lead").await, app.login("clerk").await);
    // Town A: a case in handling with a note, an urging and a session, and one registered.
    let handled = app.in_handling(&app.sample_case()).await;
    let registered = app.register(&clerk, &app.sample_case()).await;
    // And a wage claim: the county's labour department reads it, never its parties unmasked.
    let mut wage = app.sample_case();
    wage.category = shared::model::Category::Labour;
    wage.summary = "砖厂拖欠工资".into();
    let wage = app.register(&clerk, &wage).await;
    let before = (
        app.read_case(&lead, handled.id).await,
        app.read_case(&lead, registered.id).await,
        timeline(&app, &lead, handled.id).await.len(),
    );
    let hr = app.login("county_hr").await;
    let tried = sweep(&app, &hr, &[wage.id], &PERSONAL, "county_hr, on its line").await;
    assert!(tried > 80, "only {tried} requests on the wage claim");
    assert_eq!(app.read_case(&lead, wage.id).await.version, wage.version);
    let mut readers: Vec<(&str, &[&str])> = vec![("lead_b", &SECRETS)];
    for username in town_b_people(&app).await {
        readers.push((username, &SECRETS));
    }
    // The county department of another line sees nothing of the case, not even its summary;
    // the county officer reads it, but never its parties unmasked.
    readers.push(("county_hr", &SECRETS));
    readers.push(("county", &PERSONAL));
    for (username, secrets) in readers {
        let cookie = app.login(username).await;
        let tried = sweep(
            &app,
            &cookie,
            &[handled.id, registered.id, 1, 2],
            secrets,
            username,
        )
        .await;
        assert!(tried > 300, "only {tried} requests as {username}");
    }
    // Nothing of town A changed.
    let after = (
        app.read_case(&lead, handled.id).await,
        app.read_case(&lead, registered.id).await,
        timeline(&app, &lead, handled.id).await.len(),
    );
    assert_eq!(before.0.version, after.0.version);
    assert_eq!(before.1.version, after.1.version);
    assert_eq!(before.2, after.2);
    assert_eq!(after.0.stage, Stage::InHandling);
}

/// Town A's personal data, which no one outside the town sees unmasked.
const PERSONAL: [&str; 3] = ["张三", "13812345678", "11010519491231002X"];

/// Calls every method of every path of the OpenAPI document as `cookie`, with each of `ids`
/// in its parameters and an empty body, and fails if any answer holds one of `secrets`;
/// returns how many requests it made.
async fn sweep(app: &TestApp, cookie: &str, ids: &[i64], secrets: &[&str], who: &str) -> usize {
    let doc: serde_json::Value = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let mut tried = 0;
    for (path, item) in &paths {
        // A stream that never ends, and signing out.
        if path == "/api/events" || path == "/api/auth/logout" {
            continue;
        }
        let methods = item.as_object().cloned().unwrap_or_default();
        for method in methods.keys() {
            for &id in ids {
                let url = fill(path, id);
                let res = match method.as_str() {
                    "get" => app.get(&url, Some(cookie)).await,
                    "post" => app.post_raw(&url, Some(cookie), "{}").await,
                    "put" => {
                        app.put_json(&url, Some(cookie), &serde_json::json!({}))
                            .await
                    }
                    "delete" => {
                        app.send(
                            axum::http::Method::DELETE,
                            &url,
                            Some(cookie),
                            None,
                            axum::body::Body::empty(),
                        )
                        .await
                    }
                    _ => continue,
                };
                tried += 1;
                let body = res.text();
                for secret in secrets {
                    assert!(
                        !body.contains(secret),
                        "{method} {url} showed town A's {secret} to {who}: {body}"
                    );
                }
            }
        }
    }
    tried
}

#[tokio::test]
async fn a_county_department_reads_and_answers_only_its_line_in_every_town() {
    let app = TestApp::new().await;
    let (lead, lead_b, hr, county) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("county_hr").await,
        app.login("county").await,
    );
    let neighbours = app.register(&lead, &app.sample_case()).await;
    let wage = |summary: &str| {
        let mut body = app.sample_case();
        body.category = shared::model::Category::Labour;
        body.summary = summary.into();
        body
    };
    let wage_a = app.register(&lead, &wage("张三被拖欠工资三个月")).await;
    let mut b_body = wage("砖厂拖欠工资");
    b_body.village_id = app.fixture.village_b;
    b_body.area_id = None;
    b_body.group_id = None;
    let wage_b = app.register(&lead_b, &b_body).await;

    // Its board: both towns' labour cases, masked; not the neighbours' quarrel.
    let mine = board(&app, &hr, "").await;
    let mut ids: Vec<i64> = mine.cards.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [wage_a.id, wage_b.id]);
    let a_card = mine.cards.iter().find(|c| c.id == wage_a.id);
    assert_eq!(
        a_card.map(|c| c.summary.as_str()),
        Some("张某被拖欠工资三个月")
    );
    let only_b = board(&app, &hr, &format!("?town={}", app.fixture.town_b)).await;
    assert_eq!(
        only_b.cards.iter().map(|c| c.id).collect::<Vec<_>>(),
        [wage_b.id]
    );
    // Its case pages: its line's, masked; another line's is a 404, as if it did not exist.
    let page = app.read_case(&hr, wage_a.id).await;
    assert!(page.parties_masked);
    assert_eq!(page.parties[0].name, "张某");
    app.get(&format!("/api/cases/{}", neighbours.id), Some(&hr))
        .await
        .expect_status(404);
    app.get(&format!("/api/cases/{}/timeline", neighbours.id), Some(&hr))
        .await
        .expect_status(404);
    // Its case list: every town's, of its line only.
    let list: shared::api::Page<shared::api::CaseListItem> =
        app.get("/api/cases", Some(&hr)).await.json();
    let mut listed: Vec<i64> = list.items.iter().map(|c| c.card.id).collect();
    listed.sort_unstable();
    assert_eq!(listed, [wage_a.id, wage_b.id]);
    // It moves nothing: a 403 on its line's case, a 404 on another's.
    app.transition(
        &hr,
        wage_a.id,
        page.version,
        shared::workflow::Command::Accept,
    )
    .await
    .expect_status(403);
    app.transition(
        &hr,
        neighbours.id,
        neighbours.version,
        shared::workflow::Command::Accept,
    )
    .await
    .expect_status(404);
    app.post_json("/api/cases", Some(&hr), &wage("又一起"))
        .await
        .expect_status(403);

    // The county dashboard counts its line only; the officer's counts everything.
    let summary: CountySummary = app.get("/api/county/summary", Some(&hr)).await.json();
    let a_line = summary
        .towns
        .iter()
        .find(|t| t.town_id == app.fixture.town_a)
        .cloned()
        .unwrap_or_default();
    assert_eq!((a_line.open, a_line.registered), (1, 1));
    assert_eq!(summary.total.open, 2);
    let all: CountySummary = app.get("/api/county/summary", Some(&county)).await.json();
    assert_eq!(all.total.open, 3);
    let pending = |s: &CountySummary| s.total.county_pending;

    // An escalation of its line reaches it and it may answer; another line's does not.
    let text = |t: &str| CountyText { text: t.into() };
    for case in [&wage_a, &neighbours] {
        app.post_json(
            &format!("/api/cases/{}/county-escalation", case.id),
            Some(&lead),
            &text("需要县级协调"),
        )
        .await
        .expect_status(201);
    }
    let told: Vec<Option<i64>> = notifications(&app, &hr)
        .await
        .items
        .iter()
        .filter(|n| n.kind == NotificationKind::CountyEscalated)
        .map(|n| n.case_id)
        .collect();
    assert_eq!(told, [Some(wage_a.id)]);
    // Its dashboard waits on its line's escalation alone; the officer's on both.
    let mine: CountySummary = app.get("/api/county/summary", Some(&hr)).await.json();
    let theirs: CountySummary = app.get("/api/county/summary", Some(&county)).await.json();
    assert_eq!((pending(&mine), pending(&theirs)), (1, 2));
    app.post_json(
        &format!("/api/cases/{}/county-instruction", neighbours.id),
        Some(&hr),
        &text("请协调"),
    )
    .await
    .expect_status(404);
    let res = app
        .post_json(
            &format!("/api/cases/{}/county-instruction", wage_a.id),
            Some(&hr),
            &text("请县劳动监察大队介入。"),
        )
        .await;
    res.expect_status(200);
    let answered: CountyEscalation = res.json();
    assert_eq!(answered.instructed_by.as_deref(), Some("县人社局"));

    // The figures of one town: the officer names the town; a department may not read them.
    app.get("/api/dashboard", Some(&county))
        .await
        .expect_status(422);
    let res = app
        .get(
            &format!("/api/dashboard?town={}", app.fixture.town_b),
            Some(&county),
        )
        .await;
    res.expect_status(200);
    let figures: shared::figures::Dashboard = res.json();
    assert_eq!(figures.totals.all.received, 1);
    app.get(
        &format!("/api/dashboard?town={}", app.fixture.town_b),
        Some(&lead),
    )
    .await
    .expect_status(422);
    app.get("/api/dashboard", Some(&hr))
        .await
        .expect_status(403);
    app.get("/api/dashboard?town=999999", Some(&county))
        .await
        .expect_status(422);

    // The administrator gives a county department its line, and changes it.
    let admin = app.login("admin").await;
    let form = shared::admin::AccountForm {
        username: "county_market".into(),
        display_name: "县市场监管局".into(),
        role: shared::model::Role::CountyDepartment,
        town_id: None,
        department_id: None,
        org_unit_id: None,
        line: vec![shared::model::Category::Consumer],
        active: true,
    };
    let res = app
        .post_json("/api/admin/accounts", Some(&admin), &form)
        .await;
    res.expect_status(201);
    let issued: shared::admin::IssuedPassword = res.json();
    assert_eq!(issued.account.line, [shared::model::Category::Consumer]);
    let changed = shared::admin::AccountForm {
        line: vec![
            shared::model::Category::Consumer,
            shared::model::Category::Labour,
        ],
        ..form
    };
    app.put_json(
        &format!("/api/admin/accounts/{}", issued.account.id),
        Some(&admin),
        &changed,
    )
    .await
    .expect_status(200);
    let accounts: shared::admin::Accounts =
        app.get("/api/admin/accounts", Some(&admin)).await.json();
    let stored = accounts
        .items
        .iter()
        .find(|a| a.username == "county_market")
        .map(|a| a.line.clone());
    assert_eq!(
        stored,
        Some(vec![
            shared::model::Category::Consumer,
            shared::model::Category::Labour
        ])
    );
}

/// `path` with every `{parameter}` filled: `{format}` as `json`, the rest as `id`.
fn fill(path: &str, id: i64) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let name = &rest[start + 1..end - 1];
        if name == "format" {
            out.push_str("json");
        } else if name == "code" {
            out.push_str("2612-000001");
        } else {
            out.push_str(&id.to_string());
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn a_transfer_leaves_nothing_of_the_sending_town_waiting_on_the_case() {
    let app = TestApp::new().await;
    let (lead, lead_b, police) = (
        app.login("lead").await,
        app.login("lead_b").await,
        app.login("police").await,
    );
    let mut risky = app.sample_case();
    risky.risk_flags = vec![shared::model::RiskFlag::CriminalRisk];
    let case = app.register(&lead, &risky).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            shared::workflow::Command::Route {
                handler: shared::model::HandlerRef::Mediator(app.fixture.mediator),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let urge = shared::api::NewUrging {
        what: "请尽快联系当事人".into(),
        due_on: routed.registered_at.date_naive() + chrono::Duration::days(3),
    };
    app.post_json(
        &format!("/api/cases/{}/urgings", case.id),
        Some(&lead),
        &urge,
    )
    .await
    .expect_status(201);
    let before: shared::api::PoliceNoticeList =
        app.get("/api/police-notices", Some(&police)).await.json();
    assert!(before.notices.iter().any(|n| n.case_id == case.id));
    let routed = app.read_case(&lead, case.id).await;
    app.post_json(
        &format!("/api/cases/{}/transfer", case.id),
        Some(&lead),
        &transfer_to(&app, &routed, "属柳园镇管辖"),
    )
    .await
    .expect_status(200);
    // The sending town's police station no longer has the report; the receiving center is
    // told (its town has no station on record: the lead).
    let after: shared::api::PoliceNoticeList =
        app.get("/api/police-notices", Some(&police)).await.json();
    assert!(!after.notices.iter().any(|n| n.case_id == case.id));
    assert!(
        notifications(&app, &lead_b)
            .await
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::PoliceNotice && n.case_id == Some(case.id))
    );
    // No urging waits on a handler the case no longer has.
    let there = app.read_case(&lead_b, case.id).await;
    assert!(there.urgings.iter().all(|u| u.acknowledged_at.is_some()));
    let card = board(&app, &lead_b, "")
        .await
        .cards
        .into_iter()
        .find(|c| c.id == case.id)
        .unwrap_or_else(|| panic!("not on town B's board"));
    assert_eq!(card.open_urgings, 0);
    assert!(
        card.police_pending,
        "still waiting for a station's acknowledgement"
    );
}

#[tokio::test]
async fn forty_transfers_of_one_case_at_once_move_it_once() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let case = app.register(&lead, &app.sample_case()).await;
    let path = format!("/api/cases/{}/transfer", case.id);
    let body = transfer_to(&app, &case, "属柳园镇管辖");
    let answers =
        concord_tests::join_all((0..40).map(|_| app.post_json(&path, Some(&lead), &body))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    // The others: a stale read (409), or a case no longer theirs (404); never a 500.
    assert!(
        statuses.iter().all(|s| matches!(s, 200 | 404 | 409)),
        "{statuses:?}"
    );
    assert_eq!(app.count("case_transfers").await, 1);
    let steps = timeline(&app, &app.login("lead_b").await, case.id).await;
    assert_eq!(
        steps
            .iter()
            .filter(|e| e.kind == EventKind::Transferred)
            .count(),
        1
    );
}

#[tokio::test]
async fn forty_instructions_on_one_escalation_at_once_answer_it_once() {
    let app = TestApp::new().await;
    let (lead, county, hr) = (
        app.login("lead").await,
        app.login("county").await,
        app.login("county_hr").await,
    );
    let mut wage = app.sample_case();
    wage.category = shared::model::Category::Labour;
    wage.summary = "砖厂拖欠工资".into();
    let case = app.register(&lead, &wage).await;
    app.post_json(
        &format!("/api/cases/{}/county-escalation", case.id),
        Some(&lead),
        &CountyText {
            text: "涉及多个部门".into(),
        },
    )
    .await
    .expect_status(201);
    // The county officer and the labour department, twenty each, at the same moment.
    let url = format!("/api/cases/{}/county-instruction", case.id);
    let answers = concord_tests::join_all((0..40).map(|i| {
        let (app, url) = (&app, &url);
        let cookie = if i % 2 == 0 { &county } else { &hr };
        async move {
            app.post_json(
                url,
                Some(cookie),
                &CountyText {
                    text: format!("批示{i}"),
                },
            )
            .await
        }
    }))
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 409), "{statuses:?}");
    // One instruction stands, on the case and its timeline; the lead is told once.
    let page = app.read_case(&lead, case.id).await;
    assert_eq!(page.county.len(), 1);
    assert!(page.county[0].instruction.is_some());
    let instructed = timeline(&app, &lead, case.id)
        .await
        .iter()
        .filter(|e| e.kind == EventKind::CountyInstructed)
        .count();
    assert_eq!(instructed, 1);
    let told = notifications(&app, &lead)
        .await
        .items
        .iter()
        .filter(|n| n.kind == NotificationKind::CountyInstructed)
        .count();
    assert_eq!(told, 1);
}

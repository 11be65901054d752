//! The board (filters, sort order, which stages it shows) and the town's org tree,
//! departments and handlers.

use chrono::Duration;
use concord_tests::TestApp;
use shared::api::Board;
use shared::model::{
    CaseKind, Category, Channel, Department, Handler, HandlerRef, OrgLevel, OrgUnit, RiskLevel,
    Stage,
};
use shared::workflow::Command;

fn route_to(handler: HandlerRef) -> Command {
    Command::Route {
        handler,
        cooperating: vec![],
        note: String::new(),
    }
}

async fn board(app: &TestApp, cookie: &str, query: &str) -> Board {
    let res = app.get(&format!("/api/board{query}"), Some(cookie)).await;
    res.expect_status(200);
    res.json()
}

fn codes(board: &Board) -> Vec<i64> {
    board.cards.iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn the_board_sorts_overdue_first_then_by_nearest_due_date() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let today = app.state.config.today();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(app.register(&clerk, &app.sample_case()).await.id);
    }
    // Due dates: case 0 in 10 days, case 1 overdue by 2, case 2 in 1 day, case 3 overdue by 5.
    for (id, days) in ids.iter().zip([10, -2, 1, -5]) {
        let due = (today + Duration::days(days)).format("%Y-%m-%d");
        app.execute(&format!(
            "UPDATE cases SET due_on = '{due}' WHERE id = {id}"
        ))
        .await;
    }
    let b = board(&app, &lead, "").await;
    assert_eq!(b.today, today);
    assert_eq!(codes(&b), vec![ids[3], ids[1], ids[2], ids[0]]);
    let overdue = board(&app, &lead, "?overdue=true").await;
    assert_eq!(codes(&overdue), vec![ids[3], ids[1]]);
}

#[tokio::test]
async fn the_board_shows_registered_to_closed_but_not_archived() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let kept = app.register(&clerk, &app.sample_case()).await;
    let gone = app.register(&clerk, &app.sample_case()).await;
    let closed = app
        .move_case(
            &lead,
            &gone,
            Command::NotAccept {
                reason: "不属于受理范围".to_owned(),
                route_told: shared::model::LegalRoute::Litigation,
            },
        )
        .await;
    let b = board(&app, &lead, "").await;
    assert_eq!(b.cards.len(), 2);
    assert!(
        b.cards
            .iter()
            .any(|c| c.id == closed.id && c.stage == Stage::Closed)
    );
    app.move_case(
        &lead,
        &closed,
        Command::Archive {
            retention_years: 10,
        },
    )
    .await;
    let b = board(&app, &lead, "").await;
    assert_eq!(
        codes(&b),
        vec![kept.id],
        "archived cases leave the board at once"
    );
}

#[tokio::test]
async fn board_filters_narrow_the_cards() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let neighbour = app.register(&clerk, &app.sample_case()).await;
    let mut labour_body = app.sample_case();
    labour_body.category = Category::Labour;
    labour_body.risk = RiskLevel::High;
    labour_body.channel = Channel::Hotline12345;
    labour_body.summary = "拖欠工资".to_owned();
    labour_body.village_id = app.fixture.villages[1];
    labour_body.area_id = None;
    labour_body.group_id = None;
    let labour = app.register(&clerk, &labour_body).await;
    let mut petition_body = app.sample_case();
    petition_body.kind = CaseKind::Petition;
    petition_body.category = Category::Other;
    let petition = app.register(&clerk, &petition_body).await;
    let routed = app
        .move_case(
            &lead,
            &labour,
            route_to(HandlerRef::Mediator(app.fixture.mediator2)),
        )
        .await;

    let by = |q: &'static str| {
        let app = &app;
        let lead = &lead;
        async move {
            let mut ids = codes(&board(app, lead, q).await);
            ids.sort_unstable();
            ids
        }
    };
    assert_eq!(by("?category=labour").await, vec![labour.id]);
    assert_eq!(by("?risk=high").await, vec![labour.id]);
    assert_eq!(by("?channel=hotline_12345").await, vec![labour.id]);
    assert_eq!(by("?kind=petition").await, vec![petition.id]);
    assert_eq!(by("?stage=routed").await, vec![labour.id]);
    assert_eq!(
        codes(
            &board(
                &app,
                &lead,
                &format!("?village={}", app.fixture.villages[1])
            )
            .await
        ),
        vec![labour.id]
    );
    assert_eq!(
        codes(
            &board(
                &app,
                &lead,
                &format!("?handler=mediator:{}", app.fixture.mediator2)
            )
            .await
        ),
        vec![labour.id]
    );
    assert_eq!(by("?q=%E5%B7%A5%E8%B5%84").await, vec![labour.id]);
    assert_eq!(
        codes(
            &board(
                &app,
                &lead,
                &format!("?q={}", neighbour.code.to_lowercase())
            )
            .await
        ),
        vec![neighbour.id]
    );
    assert_eq!(
        by("?q=%E4%B8%89%E5%B7%A5%E6%9D%91").await,
        vec![labour.id],
        "by village name"
    );

    let mediator2 = app.login("mediator2").await;
    assert_eq!(
        codes(&board(&app, &mediator2, "?mine=true").await),
        vec![routed.id]
    );
    let mediator = app.login("mediator").await;
    assert!(board(&app, &mediator, "?mine=true").await.cards.is_empty());
    // Without a filter every card shows.
    assert_eq!(board(&app, &mediator, "").await.cards.len(), 3);
}

#[tokio::test]
async fn the_board_changes_as_soon_as_a_case_changes() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    assert!(board(&app, &lead, "").await.cards.is_empty());
    let case = app.register(&clerk, &app.sample_case()).await;
    let b = board(&app, &lead, "").await;
    assert_eq!(b.cards.len(), 1);
    assert_eq!(b.cards[0].stage, Stage::Registered);
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Department(app.fixture.land_office)),
        )
        .await;
    let b = board(&app, &lead, "").await;
    assert_eq!(b.cards[0].stage, Stage::Routed);
    assert_eq!(b.cards[0].version, routed.version);
    assert_eq!(b.cards[0].handler_name.as_deref(), Some("国土所"));
    assert_eq!(b.cards[0].village, "渠口村");
}

#[tokio::test]
async fn each_town_sees_only_its_own_board() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    app.register(&clerk, &app.sample_case()).await;
    let lead_b = app.login("lead_b").await;
    assert!(board(&app, &lead_b, "").await.cards.is_empty());
    let admin = app.login("admin").await;
    assert!(board(&app, &admin, "").await.cards.is_empty());
}

#[tokio::test]
async fn the_org_tree_is_the_users_town() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let units: Vec<OrgUnit> = app.get("/api/org", Some(&lead)).await.json();
    // The town, 2 villages, 4 areas, 8 groups.
    assert_eq!(units.len(), 15);
    assert_eq!(
        units.iter().filter(|u| u.level == OrgLevel::Group).count(),
        8
    );
    assert!(units.iter().all(|u| u.id != app.fixture.village_b));
    let town = units.iter().find(|u| u.level == OrgLevel::Town);
    assert_eq!(town.map(|t| t.name.as_str()), Some("瓜州镇"));
    let lead_b = app.login("lead_b").await;
    let units_b: Vec<OrgUnit> = app.get("/api/org", Some(&lead_b)).await.json();
    assert_eq!(units_b.len(), 2);
}

#[tokio::test]
async fn departments_and_handlers_list_the_towns_units_with_open_case_counts() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let departments: Vec<Department> = app.get("/api/departments", Some(&lead)).await.json();
    let names: Vec<&str> = departments.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "派出所",
            "司法所",
            "国土所",
            "市场监管所",
            "县法学会",
            "人民法庭"
        ]
    );
    let case = app.register(&clerk, &app.sample_case()).await;
    app.move_case(
        &lead,
        &case,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
    let handlers: Vec<Handler> = app.get("/api/handlers", Some(&lead)).await.json();
    assert_eq!(handlers.len(), 2 + 6);
    let mediator = handlers
        .iter()
        .find(|h| h.handler == HandlerRef::Mediator(app.fixture.mediator));
    assert_eq!(mediator.map(|m| m.open_cases), Some(1));
    assert_eq!(
        mediator.map(|m| m.specialties.contains(&Category::Neighbour)),
        Some(true)
    );
    let police = handlers
        .iter()
        .find(|h| h.handler == HandlerRef::Department(app.fixture.police_station));
    assert_eq!(police.map(|p| p.open_cases), Some(0));
    assert!(police.is_some_and(|p| p.department_kind.is_some()));
    let lead_b = app.login("lead_b").await;
    let handlers_b: Vec<Handler> = app.get("/api/handlers", Some(&lead_b)).await.json();
    assert!(handlers_b.is_empty());
}

#[tokio::test]
async fn the_board_is_sent_gzipped_to_clients_that_accept_it() {
    use std::io::Read as _;
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    app.register(&clerk, &app.sample_case()).await;
    let plain = board(&app, &lead, "").await;
    let req = axum::http::Request::get("/api/board")
        .header("cookie", &lead)
        .header("accept-encoding", "gzip, deflate, br")
        .body(axum::body::Body::empty())
        .unwrap_or_default();
    let res = app.request(req).await;
    res.expect_status(200);
    assert_eq!(
        res.headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&res.body[..])
        .read_to_end(&mut json)
        .unwrap_or_default();
    let unzipped: Board = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unzipped, plain);
}

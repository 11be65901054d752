//! The routing dialog's mediator suggestions against the real router: the specialist first,
//! then the lightest load, then the case's own village committee; a mediator under 回避 never
//! suggested (and named as left out); only the lead, who routes, is given them; another
//! town's case is a 404.

use concord_tests::TestApp;
use shared::mediation::NewExclusion;
use shared::model::{CaseDetail, Category, HandlerRef};
use shared::roster::Suggestions;
use shared::workflow::Command;

async fn suggestions(app: &TestApp, cookie: &str, case: i64) -> Suggestions {
    let res = app
        .get(&format!("/api/cases/{case}/suggestions"), Some(cookie))
        .await;
    res.expect_status(200);
    res.json()
}

fn order(s: &Suggestions) -> Vec<HandlerRef> {
    s.suggestions.iter().map(|s| s.handler).collect()
}

async fn case_of(app: &TestApp, cookie: &str, category: Category) -> CaseDetail {
    let mut body = app.sample_case();
    body.category = category;
    app.register(cookie, &body).await
}

#[tokio::test]
async fn the_specialist_comes_first_then_the_lighter_load_then_the_village() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let fx = app.fixture.clone();
    let (m1, m2) = (
        HandlerRef::Mediator(fx.mediator),
        HandlerRef::Mediator(fx.mediator2),
    );

    // Labour: mediator2's specialty; neighbour: the fixture mediator's.
    let labour = case_of(&app, &lead, Category::Labour).await;
    let s = suggestions(&app, &lead, labour.id).await;
    assert_eq!(order(&s), [m2, m1]);
    assert!(s.suggestions[0].specialist && !s.suggestions[1].specialist);
    let neighbour = case_of(&app, &lead, Category::Neighbour).await;
    assert_eq!(
        order(&suggestions(&app, &lead, neighbour.id).await),
        [m1, m2]
    );

    // Neither's specialty, both without cases: the one serving the case's village first.
    app.execute(&format!(
        "UPDATE roster_people SET serves_unit_id = {} WHERE user_id = {}",
        fx.villages[0], fx.mediator2
    ))
    .await;
    let other = case_of(&app, &lead, Category::Other).await;
    let s = suggestions(&app, &lead, other.id).await;
    assert_eq!(order(&s), [m2, m1]);
    assert!(s.suggestions[0].same_village);
    assert_eq!(
        s.suggestions[0].reason(shared::Lang::Zh),
        "在办 0 件 · 本周调解 0 场 · 本村调委会"
    );

    // A case routed to mediator2 gives them the heavier load: the lighter comes first.
    app.move_case(
        &lead,
        &labour,
        Command::Route {
            handler: m2,
            cooperating: vec![],
            note: String::new(),
        },
    )
    .await;
    let s = suggestions(&app, &lead, other.id).await;
    assert_eq!(order(&s), [m1, m2]);
    assert_eq!(
        (s.suggestions[0].open_cases, s.suggestions[1].open_cases),
        (0, 1)
    );
    // The specialist still comes first, whatever the load.
    assert_eq!(order(&suggestions(&app, &lead, labour.id).await)[0], m2);
}

#[tokio::test]
async fn a_mediator_under_recusal_is_never_suggested_and_only_the_lead_is_given_suggestions() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let fx = app.fixture.clone();
    let case = case_of(&app, &lead, Category::Neighbour).await;
    let res = app
        .post_json(
            &format!("/api/cases/{}/exclusions", case.id),
            Some(&lead),
            &NewExclusion {
                user_id: Some(fx.mediator),
                reason: "申请人之表兄".into(),
            },
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let s = suggestions(&app, &lead, case.id).await;
    assert_eq!(order(&s), [HandlerRef::Mediator(fx.mediator2)]);
    assert_eq!(s.excluded.len(), 1);

    for who in ["clerk", "mediator", "grid"] {
        let cookie = app.login(who).await;
        app.get(
            &format!("/api/cases/{}/suggestions", case.id),
            Some(&cookie),
        )
        .await
        .expect_status(403);
    }
    let lead_b = app.login("lead_b").await;
    app.get(
        &format!("/api/cases/{}/suggestions", case.id),
        Some(&lead_b),
    )
    .await
    .expect_status(404);
    app.get(&format!("/api/cases/{}/suggestions", case.id), None)
        .await
        .expect_status(401);
}

/// The case page names who covers the case's place: the village's town leader and the area's
/// grid worker (the fixture's), and nobody for a place nobody covers.
#[tokio::test]
async fn a_case_names_its_town_leader_and_grid_worker() {
    use shared::model::GridDuty;
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let covered = app.register(&clerk, &app.sample_case()).await;
    let grid: Vec<(GridDuty, String)> = covered
        .grid
        .iter()
        .map(|g| (g.duty, g.name.clone()))
        .collect();
    assert_eq!(
        grid,
        [
            (GridDuty::Village, "孙镇长".to_owned()),
            (GridDuty::Area, "陈网格".to_owned())
        ]
    );
    // The second village: nobody covers it.
    let mut body = app.sample_case();
    body.village_id = app.fixture.villages[1];
    body.area_id = None;
    body.group_id = None;
    let uncovered = app.register(&clerk, &body).await;
    assert!(uncovered.grid.is_empty());
    // A deactivated grid worker no longer covers anything.
    app.execute(&format!(
        "UPDATE users SET active = 0 WHERE id = {}",
        app.fixture.grid
    ))
    .await;
    let lead = app.login("lead").await;
    let now = app.read_case(&lead, covered.id).await;
    assert_eq!(now.grid.len(), 1);
}

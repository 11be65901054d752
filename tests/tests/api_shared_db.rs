//! Several servers sharing one PostgreSQL database: a change made through one is seen by the
//! others as soon as their LISTEN hears of it (milliseconds), though their boards and cases
//! are cached in memory. (SQLite belongs to one server
//! process, so these tests only run against PostgreSQL, i.e. with
//! `CONCORD_TEST_POSTGRES_URL` set.)

use axum::body::Body;
use axum::http::Request;
use backend::db::Backend;
use backend::{AppState, Db};
use concord_tests::{TestApp, cookie_of};
use http_body_util::BodyExt;
use shared::api::{Board, LoginRequest};
use shared::model::{CaseDetail, HandlerRef, Stage};
use shared::workflow::Command;
use tower::ServiceExt;

/// Sends a request to another server's router; returns the status and body.
async fn call(
    router: &axum::Router,
    req: Request<Body>,
) -> (u16, axum::body::Bytes, Option<String>) {
    let res = router
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    let status = res.status().as_u16();
    let cookie = cookie_of(res.headers());
    let body = res
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (status, body, cookie)
}

#[tokio::test]
async fn a_change_through_one_server_shows_at_once_on_another() {
    let app = TestApp::new().await;
    if app.backend() != Backend::Postgres {
        eprintln!("skipped: several servers share only PostgreSQL");
        return;
    }
    let config = (*app.state.config).clone();
    let db = Db::connect(&config)
        .await
        .unwrap_or_else(|e| panic!("second pool: {e}"));
    let other = backend::app(AppState::new(db, config));

    let login = serde_json::to_vec(&LoginRequest {
        username: "lead".into(),
        password: concord_tests::PASSWORD.into(),
    })
    .unwrap_or_default();
    let req = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(login))
        .unwrap_or_default();
    let (status, _, cookie) = call(&other, req).await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap_or_default();
    let get = |path: String| {
        Request::get(path)
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap_or_default()
    };

    // The other server builds (and caches) an empty board.
    let (_, body, _) = call(&other, get("/api/board".into())).await;
    let board: Board = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert!(board.cards.is_empty());

    // The other server hears of a change by LISTEN/NOTIFY, not by asking the database on
    // every read: it shows it as soon as the notification arrives (milliseconds), so each
    // check waits for that, up to a second, and says how long it took.
    let board_of = || async {
        let (_, body, _) = call(&other, get("/api/board".into())).await;
        serde_json::from_slice::<Board>(&body).unwrap_or_else(|e| panic!("{e}"))
    };
    let within_a_second = |what: &'static str, board: Board, ok: fn(&Board) -> bool| async move {
        let started = std::time::Instant::now();
        let mut board = board;
        while !ok(&board) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(1),
                "{what} did not reach the other server within a second"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            board = board_of().await;
        }
        eprintln!(
            "{what}: seen on the other server after {:?}",
            started.elapsed()
        );
    };

    // A case registered through this server appears there…
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    within_a_second("the registration", board_of().await, |b| b.cards.len() == 1).await;
    let (_, body, _) = call(&other, get(format!("/api/cases/{}", case.id))).await;
    let seen: CaseDetail = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seen.stage, Stage::Registered);

    // …and so does its next move.
    let lead = app.login("lead").await;
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
    within_a_second("the routing", board_of().await, |b| {
        b.cards.first().is_some_and(|c| c.stage == Stage::Routed)
    })
    .await;
    let (_, body, _) = call(&other, get(format!("/api/cases/{}", case.id))).await;
    let seen: CaseDetail = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((seen.stage, seen.version), (Stage::Routed, routed.version));
}

//! Several servers sharing one PostgreSQL database: a change made through one is seen at once
//! by the others, whose boards and cases are cached in memory. (SQLite belongs to one server
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

    // A case registered through this server appears there at once…
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let (_, body, _) = call(&other, get("/api/board".into())).await;
    let board: Board = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(board.cards.len(), 1);
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
    let (_, body, _) = call(&other, get(format!("/api/cases/{}", case.id))).await;
    let seen: CaseDetail = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((seen.stage, seen.version), (Stage::Routed, routed.version));
    let (_, body, _) = call(&other, get("/api/board".into())).await;
    let board: Board = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(board.cards[0].stage, Stage::Routed);
}

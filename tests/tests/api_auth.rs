//! Sign-in, sessions, sign-out, throttling, and the envelope on unknown routes.

use concord_tests::{PASSWORD, TestApp, cookie_of};
use shared::ErrorKind;
use shared::api::LoginRequest;
use shared::model::{Role, UserInfo};

fn login_body(username: &str, password: &str) -> LoginRequest {
    LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    }
}

#[tokio::test]
async fn signing_in_sets_an_http_only_session_cookie_and_returns_the_user() {
    let app = TestApp::new().await;
    let res = app
        .post_json("/api/auth/login", None, &login_body("clerk", PASSWORD))
        .await;
    res.expect_status(200);
    let user: UserInfo = res.json();
    assert_eq!(user.username, "clerk");
    assert_eq!(user.role, Role::Clerk);
    assert_eq!(user.town_id, app.fixture.town_a);
    let set_cookie = res
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(set_cookie.starts_with("concord_session="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not secure by default: {set_cookie}"
    );

    let cookie = cookie_of(&res.headers).unwrap_or_default();
    let me = app.get("/api/me", Some(&cookie)).await;
    me.expect_status(200);
    assert_eq!(me.json::<UserInfo>(), user);
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let app = TestApp::with_config(|c| c.cookie_secure = true).await;
    let res = app
        .post_json("/api/auth/login", None, &login_body("lead", PASSWORD))
        .await;
    res.expect_status(200);
    let set_cookie = res
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_401_in_the_envelope() {
    let app = TestApp::new().await;
    let res = app
        .post_json(
            "/api/auth/login",
            None,
            &login_body("clerk", "wrong-password"),
        )
        .await;
    res.expect_status(401);
    let err = res.error();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(err.message.contains("密码"), "{}", err.message);
    assert!(cookie_of(&res.headers).is_none());
    // An unknown user answers the same.
    let unknown = app
        .post_json(
            "/api/auth/login",
            None,
            &login_body("nobody", "wrong-password"),
        )
        .await;
    unknown.expect_status(401);
    assert_eq!(unknown.error(), err);
}

#[tokio::test]
async fn an_empty_username_names_the_field() {
    let app = TestApp::new().await;
    let res = app
        .post_json("/api/auth/login", None, &login_body(" ", ""))
        .await;
    res.expect_status(422);
    let err = res.error();
    assert!(err.field_message("username").is_some(), "{err:?}");
    assert!(err.field_message("password").is_some(), "{err:?}");
}

#[tokio::test]
async fn five_failed_sign_ins_throttle_the_username_even_with_the_right_password() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        app.post_json("/api/auth/login", None, &login_body("clerk", "nope"))
            .await
            .expect_status(401);
    }
    let res = app
        .post_json("/api/auth/login", None, &login_body("clerk", PASSWORD))
        .await;
    res.expect_status(429);
    assert_eq!(res.error().kind, ErrorKind::RateLimited);
    // Another username from the same address is not affected.
    app.post_json("/api/auth/login", None, &login_body("lead", PASSWORD))
        .await
        .expect_status(200);
}

#[tokio::test]
async fn a_successful_sign_in_forgets_earlier_failures() {
    let app = TestApp::new().await;
    for _ in 0..4 {
        app.post_json("/api/auth/login", None, &login_body("clerk", "nope"))
            .await
            .expect_status(401);
    }
    app.login("clerk").await;
    for _ in 0..4 {
        app.post_json("/api/auth/login", None, &login_body("clerk", "nope"))
            .await
            .expect_status(401);
    }
    app.login("clerk").await;
}

#[tokio::test]
async fn requests_without_a_session_are_refused_with_401() {
    let app = TestApp::new().await;
    for path in [
        "/api/me",
        "/api/board",
        "/api/cases",
        "/api/org",
        "/api/handlers",
    ] {
        let res = app.get(path, None).await;
        res.expect_status(401);
        assert_eq!(res.error().kind, ErrorKind::Unauthorized, "{path}");
    }
    let forged = app
        .get("/api/me", Some("concord_session=0123456789abcdef"))
        .await;
    forged.expect_status(401);
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = TestApp::new().await;
    let cookie = app.login("lead").await;
    app.get("/api/me", Some(&cookie)).await.expect_status(200);
    app.execute("UPDATE sessions SET expires_at = 0").await;
    let res = app.get("/api/me", Some(&cookie)).await;
    res.expect_status(401);
    assert_eq!(res.error().kind, ErrorKind::Unauthorized);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::new().await;
    let cookie = app.login("lead").await;
    let res = app
        .send(
            axum::http::Method::POST,
            "/api/auth/logout",
            Some(&cookie),
            None,
            axum::body::Body::empty(),
        )
        .await;
    res.expect_status(204);
    let cleared = res
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    app.get("/api/me", Some(&cookie)).await.expect_status(401);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn unknown_api_paths_answer_404_in_the_envelope() {
    let app = TestApp::new().await;
    let res = app.get("/api/no-such-thing", None).await;
    res.expect_status(404);
    assert_eq!(res.error().kind, ErrorKind::NotFound);
    let wrong_method = app
        .send(
            axum::http::Method::DELETE,
            "/api/me",
            None,
            None,
            axum::body::Body::empty(),
        )
        .await;
    assert!(wrong_method.status.is_client_error());
    let _ = wrong_method.error();
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let app = TestApp::new().await;
    let zh = app.get("/api/me", None).await.error();
    let en = app.get_en("/api/me", None).await.error();
    assert_eq!(zh.message, "请先登录。");
    assert_eq!(en.message, "Please sign in.");
}

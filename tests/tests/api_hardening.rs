//! The server under a hostile user's means: guesses sent together, forged proxy headers,
//! cross-site writes, oversized and half-sent requests, personal data in free text.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use axum::http::{Method, Request};
use concord_tests::{PASSWORD, TestApp, TestResponse, TestServer};
use shared::ErrorKind;
use shared::api::{LoginRequest, Page, StatusLookup};
use shared::model::{CaseCard, CaseDetail, CaseEvent, HandlerRef};
use shared::workflow::Command;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn login_body(username: &str, password: &str) -> Vec<u8> {
    serde_json::to_vec(&LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    })
    .unwrap_or_default()
}

/// A POST of JSON from `ip` (as the proxy in front of the server reports it).
fn post_from(ip: &str, path: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", ip)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("bad request: {e}"))
}

/// Sends every request at once; the answers in order.
async fn all_at_once(app: &Arc<TestApp>, requests: Vec<Request<Body>>) -> Vec<TestResponse> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let app = Arc::clone(app);
            tokio::spawn(async move { app.request(req).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap_or_else(|e| panic!("request task: {e}")));
    }
    answers
}

fn count(answers: &[TestResponse], status: u16) -> usize {
    answers
        .iter()
        .filter(|r| r.status.as_u16() == status)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_simultaneous_wrong_sign_ins_check_only_five_passwords() {
    let app = Arc::new(TestApp::with_config(|c| c.trust_proxy = true).await);
    let requests = (0..40)
        .map(|i| {
            post_from(
                "198.51.100.7",
                "/api/auth/login",
                login_body("clerk", &format!("guess-{i}")),
            )
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    assert_eq!(count(&answers, 401), 5, "exactly the limit is checked");
    assert_eq!(count(&answers, 429), 35);
    let limited = answers.iter().find(|r| r.status.as_u16() == 429);
    let retry = limited.and_then(|r| r.headers.get("retry-after"));
    assert!(retry.is_some(), "429 says when to try again");
    // The right password is refused too now: the username is throttled from that address.
    let right = app
        .request(post_from(
            "198.51.100.7",
            "/api/auth/login",
            login_body("clerk", PASSWORD),
        ))
        .await;
    right.expect_status(429);
    // From another address the person signs in.
    app.request(post_from(
        "198.51.100.8",
        "/api/auth/login",
        login_body("clerk", PASSWORD),
    ))
    .await
    .expect_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_beyond_the_hashers_queue_is_answered_429_at_once_not_queued() {
    let app = Arc::new(TestApp::with_config(|c| c.trust_proxy = true).await);
    let threads = app.state.hasher.threads();
    let requests = (0..60)
        .map(|i| {
            post_from(
                &format!("198.51.100.{i}"),
                "/api/auth/login",
                login_body(&format!("nobody{i}"), "wrong password"),
            )
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    let busy = answers
        .iter()
        .filter(|r| r.status.as_u16() == 429)
        .map(TestResponse::error)
        .filter(|e| e.kind == ErrorKind::RateLimited && e.retry_after == Some(1))
        .count();
    assert!(
        busy > 0,
        "some sign-ins are turned away while the hasher is full"
    );
    assert!(
        count(&answers, 401) >= threads,
        "at least one hash per thread ran"
    );
    assert_eq!(count(&answers, 401) + busy, 60, "nothing else answered");
    // Turned-away attempts were never checked, so they do not count against the address.
    app.request(post_from(
        "198.51.100.1",
        "/api/auth/login",
        login_body("clerk", PASSWORD),
    ))
    .await
    .expect_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_simultaneous_wrong_look_ups_check_only_the_limit() {
    let app = Arc::new(TestApp::with_config(|c| c.trust_proxy = true).await);
    let requests = (0..200)
        .map(|i| look_up("203.0.113.9", &some_code(i), "1234"))
        .collect();
    let answers = all_at_once(&app, requests).await;
    assert_eq!(count(&answers, 404), 10, "the per-address limit holds");
    assert_eq!(count(&answers, 429), 190);
}

/// A well-formed case code that no case has (different for every `i`).
fn some_code(i: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJK";
    let mut code = String::from("2611-");
    let mut n = i;
    for _ in 0..6 {
        code.push(char::from(LETTERS[n % 10]));
        n /= 10;
    }
    code
}

async fn registered_case(app: &TestApp) -> CaseDetail {
    let clerk = app.login("clerk").await;
    app.register(&clerk, &app.sample_case()).await
}

fn look_up(ip: &str, code: &str, last4: &str) -> Request<Body> {
    let body = serde_json::to_vec(&StatusLookup {
        code: code.to_owned(),
        phone_last4: last4.to_owned(),
    })
    .unwrap_or_default();
    post_from(ip, "/api/public/status", body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn guessing_one_code_from_many_addresses_is_limited_and_the_lock_is_short() {
    let app = Arc::new(
        TestApp::with_config(|c| {
            c.trust_proxy = true;
            c.status_code_window = Duration::from_millis(1500);
        })
        .await,
    );
    let case = registered_case(&app).await;
    // 30 addresses, 9 guesses each: 270 guesses on one code.
    let mut requests = Vec::new();
    for ip in 0..30 {
        for guess in 0..9 {
            requests.push(look_up(
                &format!("192.0.2.{ip}"),
                &case.code,
                &format!("{:04}", ip * 10 + guess),
            ));
        }
    }
    let answers = all_at_once(&app, requests).await;
    assert_eq!(count(&answers, 404), 20, "the per-code limit holds");
    assert_eq!(count(&answers, 429), 250);
    // The owner, from a fresh address, is locked out while the code is under attack …
    app.request(look_up("192.0.2.200", &case.code, "5678"))
        .await
        .expect_status(429);
    // … but not for long: once the window has passed the right answer is served.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    app.request(look_up("192.0.2.200", &case.code, "5678"))
        .await
        .expect_status(200);
}

#[tokio::test]
async fn a_wrong_code_and_wrong_digits_take_the_same_time() {
    let app = TestApp::with_config(|c| {
        c.status_max_failures = 10_000;
        c.status_code_max_failures = 10_000;
    })
    .await;
    let case = registered_case(&app).await;
    let mut wrong_code_slower = 0.0;
    let (mut wrong_code, mut wrong_digits) = (Vec::new(), Vec::new());
    // Each pair is timed in turn one way round and the other, so that whatever the first
    // request of a pair pays (the timer's tick, a cold cache) falls on both kinds equally.
    for i in 0..60 {
        let wrong_code_first = i % 2 == 0;
        let mut a = Duration::ZERO;
        let mut b = Duration::ZERO;
        for turn in 0..2 {
            let t = Instant::now();
            if (turn == 0) == wrong_code_first {
                app.request(look_up("1.1.1.1", &some_code(i % 4 / 2), "5678"))
                    .await
                    .expect_status(404);
                a = t.elapsed();
            } else {
                app.request(look_up("1.1.1.1", &case.code, "0000"))
                    .await
                    .expect_status(404);
                b = t.elapsed();
            }
        }
        wrong_code_slower += match a.cmp(&b) {
            std::cmp::Ordering::Greater => 1.0,
            std::cmp::Ordering::Equal => 0.5,
            std::cmp::Ordering::Less => 0.0,
        };
        wrong_code.push(a);
        wrong_digits.push(b);
    }
    wrong_code.sort();
    wrong_digits.sort();
    let (a, b) = (wrong_code[30], wrong_digits[30]);
    let diff = a.abs_diff(b);
    assert!(
        diff < Duration::from_micros(500),
        "medians {a:?} and {b:?} differ by {diff:?}"
    );
    let share = wrong_code_slower / 60.0;
    assert!(
        (0.2..=0.8).contains(&share),
        "the wrong code was slower in {:.0} % of pairs",
        share * 100.0
    );
    assert!(
        a >= Duration::from_millis(5),
        "failures are answered at the floor"
    );
}

#[tokio::test]
async fn behind_a_proxy_the_client_is_the_rightmost_untrusted_hop() {
    let app = TestApp::with_config(|c| {
        c.trust_proxy = true;
        c.status_max_failures = 3;
    })
    .await;
    // The attacker varies the leftmost entry; the proxy appends the real address.
    for i in 0..3 {
        app.request(look_up(
            &format!("10.0.{i}.1, 203.0.113.50"),
            "2611-ABCDEF",
            "1234",
        ))
        .await
        .expect_status(404);
    }
    app.request(look_up("10.0.99.1, 203.0.113.50", "2611-ABCDEF", "1234"))
        .await
        .expect_status(429);
    // Another client behind the same proxy is not affected.
    app.request(look_up("203.0.113.51", "2611-ABCDEF", "1234"))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn hops_of_configured_proxies_are_skipped() {
    let app = TestApp::with_config(|c| {
        c.trust_proxy = true;
        c.status_max_failures = 2;
        c.trusted_proxies = vec!["10.1.0.0/16".parse().unwrap_or_else(|()| panic!("net"))];
    })
    .await;
    for _ in 0..2 {
        app.request(look_up("198.51.100.20, 10.1.2.3", "2611-ABCDEF", "1234"))
            .await
            .expect_status(404);
    }
    // The same client through another of the proxies: the same address, so blocked.
    app.request(look_up("198.51.100.20, 10.1.9.9", "2611-ABCDEF", "1234"))
        .await
        .expect_status(429);
}

/// A case whose free text names its parties and holds a phone and an ID number.
async fn case_with_names_in_its_text(app: &TestApp) -> CaseDetail {
    let clerk = app.login("clerk").await;
    let mut case = app.sample_case();
    case.summary = "张三与李四排水沟纠纷".to_owned();
    case.facts = "张三称李四堵塞排水沟,张三电话13812345678,身份证11010519491231002X。".to_owned();
    case.request = "请求李四疏通排水沟".to_owned();
    app.register(&clerk, &case).await
}

const NAMES: [&str; 4] = ["张三", "李四", "13812345678", "11010519491231002X"];

fn assert_no_personal_data(what: &str, text: &str) {
    for name in NAMES {
        assert!(!text.contains(name), "{what} leaks {name}: {text}");
    }
}

#[tokio::test]
async fn free_text_is_redacted_for_every_role_that_sees_parties_masked() {
    let app = TestApp::new().await;
    let case = case_with_names_in_its_text(&app).await;
    // The police station cooperates on it (a liaison reads only such cases); the judicial
    // office leads it.
    let lead = app.login("lead").await;
    let route = Command::Route {
        handler: HandlerRef::Department(app.fixture.judicial_office),
        cooperating: vec![HandlerRef::Department(app.fixture.police_station)],
        note: String::new(),
    };
    let case = app.move_case(&lead, &case, route).await;
    for user in ["grid", "leader", "mediator", "police"] {
        let cookie = app.login(user).await;
        let detail = app.read_case(&cookie, case.id).await;
        assert!(detail.parties_masked, "{user}");
        let json = serde_json::to_string(&detail).unwrap_or_default();
        assert_no_personal_data(&format!("{user}'s case page"), &json);
        assert!(detail.facts.contains("张某称李某"), "{}", detail.facts);
        assert!(detail.facts.contains("138****5678"), "{}", detail.facts);
        let board = app.get("/api/board", Some(&cookie)).await;
        board.expect_status(200);
        assert_no_personal_data(&format!("{user}'s board"), &board.text());
        assert!(board.text().contains("张某与李某排水沟纠纷"), "{user}");
        let list = app.get("/api/cases", Some(&cookie)).await;
        list.expect_status(200);
        assert_no_personal_data(&format!("{user}'s list"), &list.text());
        let timeline = app
            .get(&format!("/api/cases/{}/timeline", case.id), Some(&cookie))
            .await;
        timeline.expect_status(200);
    }
    // The lead and the clerk see it all.
    let lead = app.login("lead").await;
    let detail = app.read_case(&lead, case.id).await;
    assert!(detail.facts.contains("张三称李四"));
    let board = app.get("/api/board", Some(&lead)).await;
    assert!(board.text().contains("张三与李四排水沟纠纷"));
}

#[tokio::test]
async fn notes_on_the_timeline_are_redacted_for_masked_readers() {
    let app = TestApp::new().await;
    let case = case_with_names_in_its_text(&app).await;
    let lead = app.login("lead").await;
    app.post_json(
        &format!("/api/cases/{}/notes", case.id),
        Some(&lead),
        &serde_json::json!({"text": "已电话联系张三(13812345678),李四同意到场", "public": false}),
    )
    .await
    .expect_status(201);
    let grid = app.login("grid").await;
    let events: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&grid))
        .await
        .json();
    let text = serde_json::to_string(&events).unwrap_or_default();
    assert_no_personal_data("the grid worker's timeline", &text);
    assert!(
        text.contains("已电话联系张某(138****5678),李某同意到场"),
        "{text}"
    );
    let mine: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&lead))
        .await
        .json();
    assert!(
        serde_json::to_string(&mine)
            .unwrap_or_default()
            .contains("张三(13812345678)")
    );
}

#[tokio::test]
async fn only_roles_that_see_parties_can_search_by_name_or_free_text() {
    let app = TestApp::new().await;
    let case = case_with_names_in_its_text(&app).await;
    let found = |page: &Page<CaseCard>| page.items.iter().any(|c| c.id == case.id);
    for q in ["张三", "排水沟", "13812345678"] {
        let path = format!("/api/cases?q={}", urlencode(q));
        let board_path = format!("/api/board?q={}", urlencode(q));
        for user in ["lead", "clerk"] {
            let cookie = app.login(user).await;
            assert!(
                found(&app.get(&path, Some(&cookie)).await.json()),
                "{user} {q}"
            );
            let board = app.get(&board_path, Some(&cookie)).await.text();
            assert!(board.contains(&case.code), "{user} {q} on the board");
        }
        for user in ["grid", "leader", "mediator", "police"] {
            let cookie = app.login(user).await;
            assert!(
                !found(&app.get(&path, Some(&cookie)).await.json()),
                "{user} {q}"
            );
            let board = app.get(&board_path, Some(&cookie)).await.text();
            assert!(!board.contains(&case.code), "{user} {q} on the board");
        }
    }
    // Everyone may look a case up by its code or its village.
    let grid = app.login("grid").await;
    let by_code: Page<CaseCard> = app
        .get(&format!("/api/cases?q={}", case.code), Some(&grid))
        .await
        .json();
    assert!(found(&by_code));
    // The mediator, once handling the case, searches its text.
    let lead = app.login("lead").await;
    let current = app.read_case(&lead, case.id).await;
    app.move_case(
        &lead,
        &current,
        Command::Route {
            handler: HandlerRef::Mediator(app.fixture.mediator),
            cooperating: vec![],
            note: String::new(),
        },
    )
    .await;
    let mediator = app.login("mediator").await;
    let page: Page<CaseCard> = app
        .get(
            &format!("/api/cases?q={}", urlencode("张三")),
            Some(&mediator),
        )
        .await
        .json();
    assert!(found(&page), "the handler searches their own case");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_search_longer_than_a_hundred_characters_is_refused_naming_q() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let long = "纠".repeat(5_000);
    for path in ["/api/cases", "/api/board"] {
        let res = app
            .get(&format!("{path}?q={}", urlencode(&long)), Some(&lead))
            .await;
        res.expect_status(422);
        assert!(res.error().field_message("q").is_some(), "{}", res.text());
    }
    let ok = app
        .get(
            &format!("/api/cases?q={}", urlencode(&"纠".repeat(100))),
            Some(&lead),
        )
        .await;
    ok.expect_status(200);
}

#[tokio::test]
async fn writes_take_only_application_json() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let body = serde_json::to_vec(&app.sample_case()).unwrap_or_default();
    let before = app.count("cases").await;
    for ct in [
        "text/plain; charset=+json",
        "application/jsonp",
        "application/x+json",
    ] {
        let res = app
            .send(
                Method::POST,
                "/api/cases",
                Some(&clerk),
                Some(ct),
                body.clone(),
            )
            .await;
        res.expect_status(400);
    }
    app.send(
        Method::POST,
        "/api/cases",
        Some(&clerk),
        Some("application/json; charset=utf-8"),
        body,
    )
    .await
    .expect_status(201);
    assert_eq!(app.count("cases").await, before + 1);
}

fn with_cookie_from(
    method: Method,
    path: &str,
    cookie: &str,
    header: (&str, &str),
    body: Vec<u8>,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/json")
        .header("host", "127.0.0.1:3000")
        .header(header.0, header.1)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("bad request: {e}"))
}

#[tokio::test]
async fn writes_from_another_site_are_refused_sign_out_included() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let body = serde_json::to_vec(&app.sample_case()).unwrap_or_default();
    let before = app.count("cases").await;
    let foreign = [
        (ORIGIN.as_str(), "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ];
    for header in foreign {
        let res = app
            .request(with_cookie_from(
                Method::POST,
                "/api/cases",
                &clerk,
                header,
                body.clone(),
            ))
            .await;
        res.expect_status(403);
        let res = app
            .request(with_cookie_from(
                Method::POST,
                "/api/auth/logout",
                &clerk,
                header,
                Vec::new(),
            ))
            .await;
        res.expect_status(403);
    }
    assert_eq!(app.count("cases").await, before);
    app.get("/api/me", Some(&clerk)).await.expect_status(200);
    // The app's own pages pass.
    let own = app
        .request(with_cookie_from(
            Method::POST,
            "/api/cases",
            &clerk,
            (ORIGIN.as_str(), "http://127.0.0.1:3000"),
            body,
        ))
        .await;
    own.expect_status(201);
    // Reading is not a change: a GET from anywhere is answered (the cookie is Lax anyway).
    app.request(with_cookie_from(
        Method::GET,
        "/api/me",
        &clerk,
        ("sec-fetch-site", "cross-site"),
        Vec::new(),
    ))
    .await
    .expect_status(200);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in ["/api/me", "/", "/board"] {
        let res = app.get(path, None).await;
        let h = |name: &str| {
            res.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = h("content-security-policy");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert!(h("permissions-policy").contains("camera=()"), "{path}");
        assert!(
            h("strict-transport-security").is_empty(),
            "no HSTS over plain HTTP"
        );
    }
    let secure = TestApp::with_config(|c| c.cookie_secure = true).await;
    let res = secure.get("/api/me", None).await;
    assert!(res.headers.get("strict-transport-security").is_some());
}

#[tokio::test]
async fn an_oversized_body_is_413_and_stores_nothing() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut case = app.sample_case();
    case.facts = "事".repeat(300_000);
    let before = app.snapshot().await;
    let res = app.post_json("/api/cases", Some(&clerk), &case).await;
    res.expect_status(413);
    assert_eq!(res.error().kind, ErrorKind::PayloadTooLarge);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let server = TestServer::start_with(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    tcp.write_all(b"GET /api/me HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection is still open after 8 s");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A change to a registration's JSON.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

/// Posts a registration whose JSON is `edit`ed first; the refused fields.
async fn refused_fields(
    app: &TestApp,
    cookie: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> Vec<String> {
    let mut body = serde_json::to_value(app.sample_case()).unwrap_or_default();
    edit(&mut body);
    let before = app.snapshot().await;
    let res = app
        .post_raw("/api/cases", Some(cookie), &body.to_string())
        .await;
    assert_eq!(app.snapshot().await, before, "nothing is stored");
    res.expect_status(422);
    res.error().fields.into_iter().map(|f| f.field).collect()
}

#[tokio::test]
async fn every_bad_field_is_named_exactly() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|b| {
                b["parties"][1]["kind"] = "organisation".into();
                b["parties"][1]["id_number"] = "9".repeat(10_000).into();
            }),
            "parties[1].id_number",
        ),
        (Box::new(|b| b["summary"] = "\u{0}".into()), "summary"),
        (Box::new(|b| b["facts"] = "事实\u{1b}[2J".into()), "facts"),
        (
            Box::new(|b| b["parties"][0]["name"] = "张\n三".into()),
            "parties[0].name",
        ),
        (
            Box::new(|b| b["parties"][0]["phone"] = "00000000000".into()),
            "parties[0].phone",
        ),
        (Box::new(|b| b["kind"] = 5.into()), "kind"),
        (
            Box::new(|b| b["category"] = serde_json::Value::Null),
            "category",
        ),
        (
            Box::new(|b| b["parties"][0]["side"] = true.into()),
            "parties[0].side",
        ),
    ];
    for (edit, field) in cases {
        assert_eq!(refused_fields(&app, &clerk, edit).await, [field]);
    }
}

#[tokio::test]
async fn a_bad_field_of_a_command_is_named_exactly() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let lead = app.login("lead").await;
    for (command, field) in [
        (
            serde_json::json!({"type": "not_accept", "reason": 5, "route_told": "litigation"}),
            "command.reason",
        ),
        (
            serde_json::json!({"type": "not_accept", "route_told": "litigation"}),
            "command.reason",
        ),
        (
            serde_json::json!({"type": "not_accept", "reason": "x", "route_told": 1}),
            "command.route_told",
        ),
        (
            serde_json::json!({"type": "not_accept", "reason": "\u{7}", "route_told": "litigation"}),
            "command.reason",
        ),
        (serde_json::json!({"type": 3}), "command.type"),
    ] {
        let body = serde_json::json!({"version": case.version, "command": command});
        let res = app
            .post_raw(
                &format!("/api/cases/{}/transitions", case.id),
                Some(&lead),
                &body.to_string(),
            )
            .await;
        res.expect_status(422);
        let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, [field], "{body}");
    }
    assert_eq!(app.read_case(&lead, case.id).await.version, case.version);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_board_patched_by_writes_running_beside_reads_equals_one_built_afresh() {
    let app = Arc::new(TestApp::new().await);
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mut cases = Vec::new();
    for _ in 0..6 {
        cases.push(app.register(&clerk, &app.sample_case()).await);
    }
    app.get("/api/board", Some(&lead)).await.expect_status(200);
    // Readers hammer the board while the lead routes every case and sends half back.
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (app, lead) = (Arc::clone(&app), lead.clone());
            tokio::spawn(async move {
                for _ in 0..25 {
                    app.get("/api/board", Some(&lead)).await.expect_status(200);
                }
            })
        })
        .collect();
    for (i, case) in cases.iter().enumerate() {
        let routed = app
            .move_case(
                &lead,
                case,
                Command::Route {
                    handler: HandlerRef::Mediator(app.fixture.mediator),
                    cooperating: vec![],
                    note: String::new(),
                },
            )
            .await;
        if i % 2 == 0 {
            app.move_case(
                &lead,
                &routed,
                Command::Return {
                    reason: "再分流".into(),
                },
            )
            .await;
        }
    }
    for r in readers {
        r.await.unwrap_or_else(|e| panic!("reader: {e}"));
    }
    // The boards as JSON without their revision (clearing the caches moves it on).
    let cards = |text: String| {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("rev");
        }
        v
    };
    let patched = cards(app.get("/api/board", Some(&lead)).await.text());
    let grid = app.login("grid").await;
    let patched_masked = cards(app.get("/api/board", Some(&grid)).await.text());
    app.state.clear_caches();
    assert_eq!(
        cards(app.get("/api/board", Some(&lead)).await.text()),
        patched
    );
    assert_eq!(
        cards(app.get("/api/board", Some(&grid)).await.text()),
        patched_masked
    );
}

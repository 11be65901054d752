//! The built frontend's files: served as they are, every other page path answered with
//! `index.html`, `/api` never falling back to it; and the real server on a loopback port.

use std::io::{Read, Write};
use std::path::PathBuf;

use concord_tests::{TestApp, TestServer};
use shared::ErrorKind;

/// A folder with a tiny "built frontend".
fn dist() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "concord-dist-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        let folder = path.parent().unwrap_or(&dir);
        std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write("index.html", "<!doctype html><title>Concord</title>");
    write("app-0123456789abcdef.js", "console.log('hi')");
    write("style.css", "body{}");
    write("pkg/0123456789abcdef/split_case.wasm", "\0asm");
    write("pkg/0123456789abcdef/split_case.wasm.gz", "gzipped twin");
    dir
}

#[tokio::test]
async fn page_paths_fall_back_to_index_html_which_is_never_cached() {
    let dir = dist();
    let app = TestApp::with_config(|c| c.static_dir = dir.clone()).await;
    for path in ["/", "/board", "/cases/12", "/cases/12/receipt"] {
        let res = app.get(path, None).await;
        res.expect_status(200);
        assert!(res.text().contains("<title>Concord</title>"), "{path}");
        assert_eq!(
            res.headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-cache"),
            "{path}"
        );
    }
    let hashed = app.get("/app-0123456789abcdef.js", None).await;
    hashed.expect_status(200);
    assert!(
        hashed
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable"))
    );
    let css = app.get("/style.css", None).await;
    assert_eq!(css.text(), "body{}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The app's split modules live in a folder named by their hash and are cached for ever; one
/// that is not there (a tab running an older build asks for its page) is a 404, never the
/// page, so the app can say the page could not be loaded.
#[tokio::test]
async fn the_apps_modules_are_cached_for_ever_and_a_missing_one_is_not_the_page() {
    let dir = dist();
    let app = TestApp::with_config(|c| c.static_dir = dir.clone()).await;
    let header = |res: &concord_tests::TestResponse, name: &str| {
        res.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let module = app.get("/pkg/0123456789abcdef/split_case.wasm", None).await;
    module.expect_status(200);
    assert!(header(&module, "cache-control").contains("immutable"));
    // The browser compiles a module as it streams only when it is sent as wasm.
    assert_eq!(header(&module, "content-type"), "application/wasm");
    assert_eq!(module.body.as_ref(), b"\0asm");
    // A browser that takes gzip gets the twin the build wrote, still typed as wasm.
    let gzipped = app
        .request(
            axum::http::Request::get("/pkg/0123456789abcdef/split_case.wasm")
                .header("accept-encoding", "gzip")
                .body(axum::body::Body::empty())
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await;
    gzipped.expect_status(200);
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    assert_eq!(header(&gzipped, "content-type"), "application/wasm");
    assert_eq!(gzipped.body.as_ref(), b"gzipped twin");
    assert!(header(&gzipped, "cache-control").contains("immutable"));
    for missing in [
        "/pkg/0123456789abcdef/split_board.wasm",
        "/pkg/fedcba9876543210/split_case.wasm",
        "/pkg/0123456789abcdef",
        "/pkg/0123456789abcdef/",
        "/pkg/",
    ] {
        let res = app.get(missing, None).await;
        assert_eq!(res.status.as_u16(), 404, "{missing}");
        assert!(!res.text().contains("<title>Concord</title>"), "{missing}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn api_paths_never_fall_back_to_the_page() {
    let dir = dist();
    let app = TestApp::with_config(|c| c.static_dir = dir.clone()).await;
    let res = app.get("/api/nothing/here", None).await;
    res.expect_status(404);
    assert_eq!(res.error().kind, ErrorKind::NotFound);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_real_server_answers_on_a_loopback_port() {
    let dir = dist();
    let server = TestServer::start_with(|c| c.static_dir = dir.clone()).await;
    assert!(server.base_url.starts_with("http://127.0.0.1:"));
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    let body = r#"{"username":"lead","password":"concord-pass-1"}"#;
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap_or_else(|e| panic!("{e}"));
        let request = format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .unwrap_or_else(|e| panic!("{e}"));
        answer
    })
    .await
    .unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("concord_session="), "{answer}");
    assert_eq!(server.fixture, server.app().fixture);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn api_answers_are_never_stored_and_every_answer_is_nosniff() {
    let dir = dist();
    let app = TestApp::with_config(|c| c.static_dir = dir.clone()).await;
    let cookie = app.login("lead").await;
    for path in ["/api/me", "/api/board", "/api/nothing"] {
        let res = app.get(path, Some(&cookie)).await;
        assert_eq!(
            res.headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
    }
    for path in ["/api/me", "/", "/style.css"] {
        let res = app.get(path, Some(&cookie)).await;
        assert_eq!(
            res.headers
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{path}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint_with_its_bodies_and_errors() {
    let app = concord_tests::TestApp::new().await;
    let res = app.get("/api/openapi.json", None).await;
    res.expect_status(200);
    let doc: serde_json::Value = res.json();
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, method) in [
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/me", "get"),
        ("/api/org", "get"),
        ("/api/departments", "get"),
        ("/api/handlers", "get"),
        ("/api/board", "get"),
        ("/api/cases", "get"),
        ("/api/cases", "post"),
        ("/api/cases/{id}", "get"),
        ("/api/cases/{id}/transitions", "post"),
        ("/api/cases/{id}/notes", "post"),
        ("/api/cases/{id}/timeline", "get"),
        ("/api/public/status", "post"),
        ("/api/openapi.json", "get"),
        ("/api/calendar/{year}", "get"),
        ("/api/calendar/{year}", "put"),
        ("/api/cases/{id}/urgings", "post"),
        ("/api/cases/{id}/urgings/{urging}/acknowledge", "post"),
        ("/api/notifications", "get"),
        ("/api/notifications/read", "post"),
        ("/api/notifications/{id}/read", "post"),
        ("/api/events", "get"),
        ("/api/cases/{id}/suspend", "post"),
        ("/api/cases/{id}/resume", "post"),
        ("/api/cases/{id}/extensions", "post"),
        ("/api/cases/{id}/extensions/{ext}/decision", "post"),
        ("/api/cases/{id}/messages", "post"),
        ("/api/police-notices", "get"),
        ("/api/police-notices/{id}/acknowledge", "post"),
        ("/api/views", "get"),
        ("/api/views", "post"),
        ("/api/views/{id}", "delete"),
        ("/api/board/new", "get"),
        ("/api/cases/{id}/seen", "post"),
        ("/api/public/rating", "post"),
        ("/api/figures/satisfaction", "get"),
        ("/api/dashboard", "get"),
        ("/api/meetings", "get"),
        ("/api/meetings", "post"),
        ("/api/meetings/{id}", "get"),
        ("/api/meetings/{id}/items", "post"),
        ("/api/meetings/{id}/items/{item}", "delete"),
        ("/api/meetings/{id}/decisions", "post"),
        ("/api/meetings/{id}/held", "post"),
        ("/api/cases/{id}/agreement", "get"),
        ("/api/cases/{id}/agreement", "put"),
        ("/api/cases/{id}/agreement.pdf", "get"),
        ("/api/cases/{id}/agreement/oral", "post"),
        ("/api/cases/{id}/agreement/signatures", "post"),
        ("/api/cases/{id}/agreement/seal", "post"),
        ("/api/cases/{id}/agreement/confirmation", "put"),
        ("/api/cases/{id}/agreement/performance", "put"),
        ("/api/cases/{id}/follow-ups", "get"),
        ("/api/cases/{id}/follow-ups/{follow_up}", "put"),
        ("/api/ledger.csv", "get"),
        ("/api/ledger.xlsx", "get"),
        ("/status", "get"),
        ("/status", "post"),
        ("/status/rate", "post"),
        ("/request", "get"),
        ("/request", "post"),
        ("/api/admin/open311-clients", "get"),
        ("/api/admin/open311-clients", "post"),
        ("/api/admin/open311-clients/{id}/revoke", "post"),
        ("/open311/discovery.{format}", "get"),
        ("/open311/v2/services.{format}", "get"),
        ("/open311/v2/services/{service_code}.{format}", "get"),
        ("/open311/v2/requests.{format}", "get"),
        ("/open311/v2/requests.{format}", "post"),
        ("/open311/v2/requests/{service_request_id}.{format}", "get"),
        ("/open311/v2/tokens/{token}.{format}", "get"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is missing");
        let responses = op["responses"].as_object().cloned().unwrap_or_default();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path} documents no success"
        );
        if path != "/api/openapi.json" {
            assert!(
                responses.contains_key("500"),
                "{method} {path} documents no 500"
            );
        }
        let bodiless = [
            "/api/auth/logout",
            "/api/cases/{id}/urgings/{urging}/acknowledge",
            "/api/notifications/read",
            "/api/notifications/{id}/read",
            "/api/police-notices/{id}/acknowledge",
            "/api/cases/{id}/seen",
            "/api/admin/open311-clients/{id}/revoke",
            "/api/cases/{id}/agreement/seal",
        ];
        if path.starts_with("/open311/") {
            // Open311 answers in JSON or XML as the path says, with the specification's
            // statuses: 400 for anything refused, 403 for the API key, 404 for what is not.
            let ok = &responses
                .iter()
                .find(|(s, _)| s.starts_with('2'))
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            for ct in ["application/json", "text/xml"] {
                assert!(ok["content"][ct].is_object(), "{method} {path} lacks {ct}");
            }
            if method == "post" {
                assert!(
                    op["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object()
                );
                for status in ["400", "403", "404", "429"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        } else if method == "post" && !bodiless.contains(&path) {
            assert!(op["requestBody"].is_object(), "{method} {path} has no body");
            for status in ["400", "413", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
        }
    }
    // Every route the router serves is in the document, and nothing else.
    assert_eq!(paths.len(), 115, "{:?}", paths.keys().collect::<Vec<_>>());
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for name in [
        "ApiError",
        "Reason",
        "CaseDetail",
        "Command",
        "RegisterCase",
        "HandlerRef",
    ] {
        assert!(schemas.contains_key(name), "schema {name} is missing");
    }
    // Every reference resolves (a type used only in a parameter is easily left out).
    let text = doc.to_string();
    for (at, _) in text.match_indices("#/components/schemas/") {
        let rest = &text[at + "#/components/schemas/".len()..];
        let name = &rest[..rest.find('"').unwrap_or(rest.len())];
        assert!(
            schemas.contains_key(name),
            "the schema {name} is referred to but missing"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["in"], "cookie",
        "the session cookie is the security scheme"
    );
}

//! The end-to-end test harness.
//!
//! Every test gets a fresh database: SQLite in a temporary file by default, or, when
//! `CONCORD_TEST_POSTGRES_URL` is set (e.g. `postgres://postgres@127.0.0.1:5433/postgres`), a
//! new uniquely named PostgreSQL database created through that URL and dropped afterwards. The
//! database is migrated and loaded with `backend::fixture::seed_fixture` (two towns, their
//! departments, one user per role, all with the password `concord-pass-1`; see that module).
//!
//! Two ways to drive the server:
//!
//! - [`TestApp`]: requests go straight into `backend::app(state)` (`tower::ServiceExt::oneshot`),
//!   no socket. For API tests: `login`, `get`, `post_json`, typed helpers, and `count` for
//!   checking the database did not change. [`empty_state`] gives a migrated database with no
//!   fixture (for loading the demo).
//! - [`TestServer`]: the same app served on `127.0.0.1:<free port>` by a background task, for
//!   tests that need a real HTTP server (browser tests). `base_url` is where it listens; the
//!   built frontend is served from `CONCORD_FRONTEND_DIST` or `frontend/dist`.
//!
//! [`browser`] drives headless Chromium through chromedriver for the browser tests.
//!
//! The helpers panic with a readable message when something unexpected happens: they are for
//! tests only.

pub mod browser;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use backend::db::Backend;
use backend::fixture::{FIXTURE_PASSWORD, Fixture, seed_fixture};
use backend::{AppState, Config, Db};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::ApiError;
use shared::api::{LoginRequest, NewParty, RegisterCase, TransitionRequest};
use shared::model::{CaseDetail, CaseKind, Category, Channel, PartySide, RiskLevel};
use shared::workflow::Command;
use sqlx::Connection as _;
use tower::ServiceExt;

pub use backend::fixture::FIXTURE_PASSWORD as PASSWORD;

/// The environment variable that switches the tests to PostgreSQL.
pub const POSTGRES_URL_VAR: &str = "CONCORD_TEST_POSTGRES_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique name for this process's next test database.
fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("concord_test_{}_{n}_{nanos}", std::process::id())
}

/// A test's own database; removed when dropped.
#[derive(Debug)]
enum TestDb {
    Sqlite { path: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// Creates an empty database; returns it and its URL.
    async fn create() -> (TestDb, String) {
        match std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            Some(admin_url) => {
                sqlx::any::install_default_drivers();
                let name = unique_name();
                let mut conn = sqlx::AnyConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to {admin_url}: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
                let _ = conn.close().await;
                let url = replace_db_name(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
            None => {
                let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
                let url = format!("sqlite://{}", path.display());
                (TestDb::Sqlite { path }, url)
            }
        }
    }
}

/// The URL with its database name replaced.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Dropping runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut conn)
                            .await;
                            let _ = conn.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The configuration tests start from: defaults, with a small pool and no static files.
pub fn test_config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_owned(),
        db_max_connections: 4,
        static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/no-static-files")),
        ..Config::default()
    }
}

/// Sends a request into `router` (no socket) and collects the whole answer.
pub async fn call(router: &Router, req: Request<Body>) -> TestResponse {
    let res = router
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    let (parts, body) = res.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_else(|e| panic!("reading the body failed: {e}"));
    TestResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Keeps a test's database alive; dropping it removes the database.
#[derive(Debug)]
pub struct DbGuard {
    _db: TestDb,
}

/// A fresh, migrated, empty database (no fixture) and the state over it, with the test
/// configuration adjusted by `edit`. The database lives as long as the guard.
pub async fn empty_state(edit: impl FnOnce(&mut Config)) -> (AppState, DbGuard) {
    let (db, url) = TestDb::create().await;
    let mut config = test_config(&url);
    edit(&mut config);
    let pool = Db::connect(&config)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    pool.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrating {url} failed: {e}"));
    (AppState::new(pool, config), DbGuard { _db: db })
}

/// The real router over a fresh, seeded database.
pub struct TestApp {
    pub state: AppState,
    pub fixture: Fixture,
    router: Router,
    _db: DbGuard,
}

/// What a request answered.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    /// The body decoded as `T`; panics with the body if it is not one.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected {} from a {} answer, got {e}: {}",
                std::any::type_name::<T>(),
                self.status,
                self.text()
            )
        })
    }

    /// The body decoded as the error envelope; panics if it is not one.
    pub fn error(&self) -> ApiError {
        self.json()
    }

    /// A header of the answer, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status, showing the body if it differs; returns `self` for chaining.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}

impl TestApp {
    /// A fresh database with the fixture, default configuration.
    pub async fn new() -> TestApp {
        TestApp::with_config(|_| {}).await
    }

    /// A fresh database with the fixture; `edit` adjusts the configuration first (e.g. a
    /// short session, other rate limits).
    pub async fn with_config(edit: impl FnOnce(&mut Config)) -> TestApp {
        let (state, db) = empty_state(edit).await;
        let fixture = seed_fixture(&state)
            .await
            .unwrap_or_else(|e| panic!("seeding the fixture failed: {e:?}"));
        let router = backend::app(state.clone());
        TestApp {
            state,
            fixture,
            router,
            _db: db,
        }
    }

    /// Which database this test runs on.
    pub fn backend(&self) -> Backend {
        self.state.db.backend
    }

    /// Sends a request to the app.
    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        call(&self.router, req).await
    }

    /// Sends `method path` with an optional session cookie and a raw body of `content_type`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(cookie) = cookie {
            req = req.header(COOKIE, cookie);
        }
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        let req = req
            .body(body.into())
            .unwrap_or_else(|e| panic!("bad request {path}: {e}"));
        self.request(req).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        self.send(Method::GET, path, cookie, None, Body::empty())
            .await
    }

    /// `GET path`, its body collected as it streams: `Err` if the body broke off with an
    /// error (a streamed answer that failed midway) instead of ending.
    pub async fn get_streamed(
        &self,
        path: &str,
        cookie: &str,
    ) -> (StatusCode, std::result::Result<Bytes, String>) {
        let req = Request::builder()
            .uri(path)
            .header(COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("bad request {path}: {e}"));
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let status = res.status();
        let body = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .map_err(|e| e.to_string());
        (status, body)
    }

    /// `GET path` asking for English messages.
    pub async fn get_en(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::builder()
            .uri(path)
            .header(ACCEPT_LANGUAGE, "en-US,en;q=0.9");
        if let Some(cookie) = cookie {
            req = req.header(COOKIE, cookie);
        }
        let req = req
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("bad request {path}: {e}"));
        self.request(req).await
    }

    /// `POST path` with `body` as JSON.
    pub async fn post_json<T: Serialize + ?Sized>(
        &self,
        path: &str,
        cookie: Option<&str>,
        body: &T,
    ) -> TestResponse {
        let json =
            serde_json::to_vec(body).unwrap_or_else(|e| panic!("cannot serialise body: {e}"));
        self.send(Method::POST, path, cookie, Some("application/json"), json)
            .await
    }

    /// `PUT path` with a JSON body.
    pub async fn put_json<T: Serialize + ?Sized>(
        &self,
        path: &str,
        cookie: Option<&str>,
        body: &T,
    ) -> TestResponse {
        let body = serde_json::to_vec(body).unwrap_or_else(|e| panic!("bad body: {e}"));
        self.send(Method::PUT, path, cookie, Some("application/json"), body)
            .await
    }

    /// `POST path` with a raw JSON text (for malformed bodies).
    pub async fn post_raw(&self, path: &str, cookie: Option<&str>, body: &str) -> TestResponse {
        self.send(
            Method::POST,
            path,
            cookie,
            Some("application/json"),
            body.to_owned(),
        )
        .await
    }

    /// Signs in as a fixture user; returns the `Cookie` header value to send.
    pub async fn login(&self, username: &str) -> String {
        let res = self
            .post_json(
                "/api/auth/login",
                None,
                &LoginRequest {
                    username: username.to_owned(),
                    password: FIXTURE_PASSWORD.to_owned(),
                },
            )
            .await;
        res.expect_status(200);
        cookie_of(&res.headers)
            .unwrap_or_else(|| panic!("no session cookie for {username}: {:?}", res.headers))
    }

    /// A valid registration: a neighbour dispute in town A's first village, one applicant
    /// with phone 13812345678 and one respondent.
    pub fn sample_case(&self) -> RegisterCase {
        RegisterCase {
            kind: CaseKind::Dispute,
            category: Category::Neighbour,
            channel: Channel::Window,
            risk: RiskLevel::Low,
            risk_flags: vec![],
            summary: "邻里排水沟纠纷".to_owned(),
            facts: "两户因排水沟堵塞发生争执。".to_owned(),
            request: "疏通排水沟".to_owned(),
            village_id: self.fixture.villages[0],
            area_id: Some(self.fixture.areas[0][0]),
            group_id: Some(self.fixture.groups[0][0][0]),
            parties: vec![
                NewParty {
                    side: PartySide::Applicant,
                    name: "张三".to_owned(),
                    phone: Some("13812345678".to_owned()),
                    id_number: Some("11010519491231002X".to_owned()),
                    address: Some("渠口村一片一组 3 号".to_owned()),
                    age: Some(45),
                    ..NewParty::default()
                },
                NewParty {
                    side: PartySide::Respondent,
                    name: "李四".to_owned(),
                    phone: Some("13987654321".to_owned()),
                    ..NewParty::default()
                },
            ],
            closed_on_the_spot: None,
            repeat_of: None,
            not_repeat_of: Vec::new(),
            from_visit: None,
        }
    }

    /// Registers a case (expects 201).
    pub async fn register(&self, cookie: &str, case: &RegisterCase) -> CaseDetail {
        let res = self.post_json("/api/cases", Some(cookie), case).await;
        res.expect_status(201);
        res.json()
    }

    /// Sends a transition on a case read at `version`.
    pub async fn transition(
        &self,
        cookie: &str,
        case_id: i64,
        version: i64,
        command: Command,
    ) -> TestResponse {
        self.post_json(
            &format!("/api/cases/{case_id}/transitions"),
            Some(cookie),
            &TransitionRequest { version, command },
        )
        .await
    }

    /// Sends a transition that must succeed; returns the case after it.
    pub async fn move_case(&self, cookie: &str, case: &CaseDetail, command: Command) -> CaseDetail {
        let res = self
            .transition(cookie, case.id, case.version, command)
            .await;
        res.expect_status(200);
        res.json()
    }

    /// Registers `body` (by the clerk) and puts it in handling by the fixture mediator: the lead
    /// routes it, the mediator accepts.
    pub async fn in_handling(&self, body: &RegisterCase) -> CaseDetail {
        let clerk = self.login("clerk").await;
        let lead = self.login("lead").await;
        let mediator = self.login("mediator").await;
        let case = self.register(&clerk, body).await;
        let routed = self
            .move_case(
                &lead,
                &case,
                Command::Route {
                    handler: shared::model::HandlerRef::Mediator(self.fixture.mediator),
                    cooperating: vec![],
                    note: String::new(),
                },
            )
            .await;
        self.move_case(&mediator, &routed, Command::Accept).await
    }

    /// Takes a registered case through the loop to closed: the lead routes it to the fixture
    /// mediator, who accepts it and closes it with `outcome` and `summary`.
    pub async fn close_case(
        &self,
        case: &CaseDetail,
        outcome: shared::model::Outcome,
        summary: &str,
    ) -> CaseDetail {
        let lead = self.login("lead").await;
        let mediator = self.login("mediator").await;
        let routed = self
            .move_case(
                &lead,
                case,
                Command::Route {
                    handler: shared::model::HandlerRef::Mediator(self.fixture.mediator),
                    cooperating: vec![],
                    note: String::new(),
                },
            )
            .await;
        let mut handling = self.move_case(&mediator, &routed, Command::Accept).await;
        match outcome {
            shared::model::Outcome::AgreementWritten => {
                handling = self.agree_in_writing(handling.id).await;
            }
            shared::model::Outcome::AgreementOral => {
                handling = self.agree_orally(handling.id).await;
            }
            _ => {}
        }
        self.move_case(
            &mediator,
            &handling,
            Command::Close {
                outcome,
                summary: summary.to_owned(),
                route_told: None,
            },
        )
        .await
    }

    /// Puts a written agreement in effect on a case in handling by the fixture mediator: the
    /// lead drafts it, every party signs, the mediator signs, the lead records the seal.
    /// Returns the case as it now stands (its version moved).
    pub async fn agree_in_writing(&self, case_id: i64) -> CaseDetail {
        use shared::agreement::{
            AgreementText, CaseAgreement, NewSignature, SaveAgreement, Signer, Stroke, Term,
        };
        let lead = self.login("lead").await;
        let mediator = self.login("mediator").await;
        let text = AgreementText {
            facts: "两户因排水沟堵塞发生争执。".into(),
            disputes: "排水沟由谁疏通。".into(),
            responsibility: "双方各负一半责任。".into(),
            terms: vec![Term {
                text: "双方共同出资疏通排水沟。".into(),
                amount_fen: Some(60_000),
            }],
            performance_manner: "现金支付".into(),
            performance_place: "村委会".into(),
            performance_due: Some(self.state.config.today() + chrono::Days::new(10)),
            court: "瓜州县人民法院".into(),
            representatives: vec![],
        };
        let path = format!("/api/cases/{case_id}/agreement");
        let res = self
            .put_json(&path, Some(&lead), &SaveAgreement { text, version: 0 })
            .await;
        res.expect_status(200);
        let agreement: shared::agreement::Agreement = res.json();
        let stroke = || Stroke {
            points: vec![[0.1, 0.5, 0.5], [0.5, 0.4, 0.6], [0.9, 0.6, 0.5]],
        };
        for signer in &agreement.unsigned {
            let cookie = if *signer == Signer::Mediator {
                &mediator
            } else {
                &lead
            };
            self.post_json(
                &format!("{path}/signatures"),
                Some(cookie),
                &NewSignature {
                    signer: *signer,
                    method: shared::model::SignMethod::Drawn,
                    strokes: vec![stroke()],
                    text_hash: agreement.text_hash.clone(),
                },
            )
            .await
            .expect_status(200);
        }
        self.post_json(&format!("{path}/seal"), Some(&lead), &serde_json::json!({}))
            .await
            .expect_status(200);
        let now: CaseAgreement = self.get(&path, Some(&lead)).await.json();
        assert_eq!(
            now.agreement.map(|a| a.status),
            Some(shared::model::AgreementStatus::InEffect)
        );
        self.read_case(&lead, case_id).await
    }

    /// Records an oral agreement on a case in handling (by the lead), agreed today.
    pub async fn agree_orally(&self, case_id: i64) -> CaseDetail {
        let lead = self.login("lead").await;
        self.post_json(
            &format!("/api/cases/{case_id}/agreement/oral"),
            Some(&lead),
            &shared::agreement::RecordOral {
                terms: vec![shared::agreement::Term {
                    text: "双方同意各自疏通门前排水沟。".into(),
                    amount_fen: None,
                }],
                agreed_on: self.state.config.today(),
            },
        )
        .await
        .expect_status(200);
        self.read_case(&lead, case_id).await
    }

    /// Reads a case (expects 200).
    pub async fn read_case(&self, cookie: &str, id: i64) -> CaseDetail {
        let res = self.get(&format!("/api/cases/{id}"), Some(cookie)).await;
        res.expect_status(200);
        res.json()
    }

    /// How many rows a table has.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }

    /// Row counts of every table a case write touches, to assert that a refused request
    /// changed nothing.
    pub async fn snapshot(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for table in [
            "cases",
            "parties",
            "case_events",
            "access_log",
            "town_revisions",
            "archive_counters",
        ] {
            out.push((table, self.count(table).await));
        }
        out
    }

    /// Runs a statement directly on the database (e.g. to expire a session or move a due
    /// date), then forgets the server's caches.
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        self.state.clear_caches();
    }
}

/// The `Cookie` header value for the session a response set.
pub fn cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("concord_session=") && pair.len() > "concord_session=".len())
        .map(str::to_owned)
}

/// The real server on a loopback port, over a fresh, seeded database. Stops when dropped.
pub struct TestServer {
    /// Where the server listens, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub base_url: String,
    /// The server's state (its database: `state.db.pool`).
    pub state: AppState,
    /// The ids of the fixture.
    pub fixture: Fixture,
    task: tokio::task::JoinHandle<()>,
    _app: TestApp,
}

/// Where the built frontend is: `CONCORD_FRONTEND_DIST`, else the workspace's `frontend/dist`.
pub fn frontend_dist() -> PathBuf {
    std::env::var_os("CONCORD_FRONTEND_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/dist")))
}

impl TestServer {
    /// Serves the app with the built frontend (`frontend_dist()`).
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// Serves the app; `edit` adjusts the configuration (its `static_dir` starts as
    /// `frontend_dist()`).
    pub async fn start_with(edit: impl FnOnce(&mut Config)) -> TestServer {
        let app = TestApp::with_config(|c| {
            c.static_dir = frontend_dist();
            edit(c);
        })
        .await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"));
        let state = app.state.clone();
        let task = tokio::spawn(async move {
            let _ = backend::serve(listener, state, std::future::pending()).await;
        });
        TestServer {
            base_url: format!("http://{addr}"),
            state: app.state.clone(),
            fixture: app.fixture.clone(),
            task,
            _app: app,
        }
    }

    /// The harness of the same database, for `oneshot` requests and database checks.
    pub fn app(&self) -> &TestApp {
        &self._app
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Runs futures concurrently on the test's runtime (tasks would need 'static).
pub async fn join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

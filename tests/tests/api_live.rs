//! The live stream (`/api/events`): a move reaches an open stream at once, in the reader's
//! view; a reconnect with `Last-Event-ID` gets exactly what it missed; a liaison hears only
//! of their department's cases, and a county department only of its line's, in every town.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use axum::http::header::COOKIE;
use concord_tests::TestApp;
use http_body_util::BodyExt;
use shared::api::Board;
use shared::model::{CaseCard, HandlerRef, Stage};
use shared::workflow::Command;
use tower::ServiceExt;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    event: String,
    id: Option<String>,
    data: serde_json::Value,
}

/// An open stream: its body and the text read so far.
struct Stream {
    body: Body,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, cookie: &str, query: &str, last_id: Option<&str>) -> Stream {
        let mut req = Request::builder()
            .uri(format!("/api/events{query}"))
            .header(COOKIE, cookie);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let req = req.body(Body::empty()).unwrap_or_else(|e| panic!("{e}"));
        let res = backend::app(app.state.clone())
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status(), 200);
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert_eq!(ct, Some("text/event-stream"));
        Stream {
            body: res.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event (comments and keep-alives skipped), waiting at most `within`.
    async fn next(&mut self, within: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::from("message");
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
                return Some(Sse { event, id, data });
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(bytes) = frame.unwrap_or_else(|e| panic!("{e}")).into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

impl Stream {
    /// Whether the server ends the stream within `within` (events before the end are skipped).
    async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(_)) => {}
            }
        }
    }
}

fn route_to(handler: HandlerRef) -> Command {
    Command::Route {
        handler,
        cooperating: vec![],
        note: String::new(),
    }
}

const SOON: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_move_reaches_an_open_stream_within_a_second_and_a_reconnect_catches_up() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let mut stream = Stream::open(&app, &lead, &format!("?after={}", board.rev), None).await;
    let hello = stream.next(SOON).await;
    assert_eq!(hello.map(|e| e.event), Some("hello".to_owned()));
    let started = std::time::Instant::now();
    let routed = app
        .move_case(
            &lead,
            &case,
            route_to(HandlerRef::Mediator(app.fixture.mediator)),
        )
        .await;
    let event = stream
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("no event within a second"));
    assert!(started.elapsed() < SOON);
    assert_eq!(event.event, "card");
    let card: CaseCard = serde_json::from_value(event.data["card"].clone())
        .unwrap_or_else(|e| panic!("{e}: {:?}", event.data));
    assert_eq!(
        (card.id, card.stage, card.version),
        (case.id, Stage::Routed, routed.version)
    );
    let seen = event.id.clone().unwrap_or_default();
    // The stream goes; two more moves happen; a reconnect from the last id gets both, in order.
    drop(stream);
    let handling = app.move_case(&lead, &routed, Command::Accept).await;
    let note = shared::api::NoteRequest {
        text: "已电话联系双方".into(),
        public: false,
    };
    app.post_json(&format!("/api/cases/{}/notes", case.id), Some(&lead), &note)
        .await
        .expect_status(201);
    let mut again = Stream::open(&app, &lead, "?after=1", Some(&seen)).await;
    assert_eq!(
        again.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    let first = again
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("nothing replayed"));
    let second = again
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("one replayed"));
    let rev = |e: &Sse| {
        e.id.as_deref()
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let seen_rev: i64 = seen.parse().unwrap_or(0);
    assert_eq!((rev(&first), rev(&second)), (seen_rev + 1, seen_rev + 2));
    assert_eq!(first.data["card"]["stage"], "in_handling");
    assert_eq!(first.data["card"]["version"], handling.version);
    // The note changed the case, not its card: the card again, for open case pages.
    assert_eq!(second.event, "card");
    assert_eq!(second.data["card"]["id"], case.id);
    // A revision that is not a number: refused in the envelope, naming it.
    let res = app.get("/api/events?after=abc", Some(&lead)).await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "after");
    // A revision this server never gave: reload.
    let mut odd = Stream::open(&app, &lead, "", Some("99999999")).await;
    assert_eq!(
        odd.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    assert_eq!(
        odd.next(SOON).await.map(|e| e.event),
        Some("reload".to_owned())
    );
}

/// A stream of changes: every one reaches the stream, in order, and the stream is written to at
/// most once per 50 ms (`WRITE_GAP`), so 1,000 open boards cost the server a write per burst,
/// not per change. The stream is read while the changes are made, one every few milliseconds
/// (without the gap, each would be a write of its own). The bound is sound whatever the
/// machine's speed: every write falls between the first change's sending and the last write's
/// arrival.
#[tokio::test]
async fn a_burst_of_changes_arrives_whole_in_few_writes() {
    const CHANGES: usize = 30;
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mut cases = Vec::new();
    for _ in 0..CHANGES {
        cases.push(app.register(&clerk, &app.sample_case()).await);
    }
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let mut stream = Stream::open(&app, &lead, &format!("?after={}", board.rev), None).await;
    assert_eq!(
        stream.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    assert!(stream.buffer.is_empty());
    let started = std::time::Instant::now();
    let note = shared::api::NoteRequest {
        text: "已电话联系双方".into(),
        public: false,
    };
    let post = async {
        for case in &cases {
            app.post_json(&format!("/api/cases/{}/notes", case.id), Some(&lead), &note)
                .await
                .expect_status(201);
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    };
    // Read write by write (one body frame each) until every change has come.
    let read = async {
        let mut writes = 0u32;
        let mut revs = Vec::new();
        let mut ids = std::collections::BTreeSet::new();
        while revs.len() < CHANGES {
            let frame = tokio::time::timeout(Duration::from_secs(10), stream.body.frame())
                .await
                .unwrap_or_else(|_| panic!("only {} of {CHANGES} changes came", revs.len()))
                .unwrap_or_else(|| panic!("the stream ended"))
                .unwrap_or_else(|e| panic!("{e}"));
            let Ok(bytes) = frame.into_data() else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if text.starts_with(':') {
                continue; // a keep-alive
            }
            writes += 1;
            stream.buffer.push_str(&text);
            assert!(stream.buffer.ends_with("\n\n"), "a write ends on an event");
            while stream.buffer.contains("\n\n") {
                let event = stream
                    .next(SOON)
                    .await
                    .unwrap_or_else(|| panic!("a cut event"));
                assert_eq!(event.event, "card");
                revs.push(
                    event
                        .id
                        .and_then(|i| i.parse::<i64>().ok())
                        .unwrap_or_else(|| panic!("a card without its revision")),
                );
                ids.insert(event.data["card"]["id"].as_i64().unwrap_or(0));
            }
        }
        (writes, revs, ids)
    };
    let ((), (writes, revs, ids)) = tokio::join!(post, read);
    let elapsed = started.elapsed();
    let expected: Vec<i64> = (1..=CHANGES as i64).map(|i| board.rev + i).collect();
    assert_eq!(revs, expected, "every change once, in order");
    assert_eq!(ids, cases.iter().map(|c| c.id).collect());
    let most = 1 + (elapsed.as_millis() / 50) as u32;
    assert!(
        writes <= most,
        "{writes} writes for {CHANGES} changes in {elapsed:?}: at most {most}"
    );
    // The changes were spread out: they did not all go out in one write.
    assert!(
        writes > 1,
        "{CHANGES} changes in {elapsed:?} came in one write"
    );
    println!("{CHANGES} changes in {writes} writes, {elapsed:?}");
}

#[tokio::test]
async fn a_county_department_hears_every_towns_cases_of_its_line_and_no_other() {
    let app = TestApp::new().await;
    let (clerk, lead_b, hr) = (
        app.login("clerk").await,
        app.login("lead_b").await,
        app.login("county_hr").await,
    );
    let mut stream = Stream::open(&app, &hr, "", None).await;
    assert_eq!(
        stream.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    // A neighbours' quarrel in town A: not a word, not even a removal.
    app.register(&clerk, &app.sample_case()).await;
    // A wage claim in town B: its card, masked.
    let mut wage = app.sample_case();
    wage.category = shared::model::Category::Labour;
    wage.summary = "张三被拖欠工资".into();
    wage.village_id = app.fixture.village_b;
    wage.area_id = None;
    wage.group_id = None;
    let b = app.register(&lead_b, &wage).await;
    let event = stream
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("no event"));
    assert_eq!(event.event, "card");
    assert_eq!(event.data["card"]["id"], b.id);
    assert_eq!(event.data["card"]["summary"], "张某被拖欠工资");
    // Nothing else came.
    assert_eq!(stream.next(Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn a_stream_ends_when_the_administrator_changes_its_readers_line() {
    let app = TestApp::with_config(|c| c.stream_session_check = Duration::from_millis(100)).await;
    let (admin, hr) = (app.login("admin").await, app.login("county_hr").await);
    let mut stream = Stream::open(&app, &hr, "", None).await;
    assert_eq!(
        stream.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    // Unchanged, it stays open.
    assert!(!stream.ends_within(Duration::from_millis(400)).await);
    let accounts: shared::admin::Accounts =
        app.get("/api/admin/accounts", Some(&admin)).await.json();
    let Some(account) = accounts
        .items
        .into_iter()
        .find(|a| a.username == "county_hr")
    else {
        panic!("no county_hr")
    };
    let form = shared::admin::AccountForm {
        username: String::new(),
        display_name: account.display_name,
        role: account.role,
        town_id: None,
        department_id: None,
        org_unit_id: None,
        line: vec![shared::model::Category::Consumer],
        active: true,
    };
    app.put_json(
        &format!("/api/admin/accounts/{}", account.id),
        Some(&admin),
        &form,
    )
    .await
    .expect_status(200);
    // Its scope was the old line's: it ends, and the browser reconnects under the new one.
    assert!(stream.ends_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_liaison_hears_only_of_their_departments_cases() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let police = app.login("police").await;
    let mut stream = Stream::open(&app, &police, "", None).await;
    assert_eq!(
        stream.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    // Another department's case: not a word.
    let other = app.register(&clerk, &app.sample_case()).await;
    app.move_case(
        &lead,
        &other,
        route_to(HandlerRef::Department(app.fixture.judicial_office)),
    )
    .await;
    // Their own: the card, unmasked (they handle it).
    let own = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &own,
            route_to(HandlerRef::Department(app.fixture.police_station)),
        )
        .await;
    let event = stream
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("no event"));
    assert_eq!(event.event, "card");
    assert_eq!(event.data["card"]["id"], own.id);
    // Declined: removed from their board once; then nothing more of it.
    app.move_case(
        &police,
        &routed,
        Command::Decline {
            reason: "不属本所职责".into(),
        },
    )
    .await;
    // (The routed card may come twice: a card is loaded after its change, so an earlier
    // event can already carry it.)
    let mut event = stream
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("no removal"));
    while event.event == "card" && event.data["card"]["stage"] == "routed" {
        event = stream
            .next(SOON)
            .await
            .unwrap_or_else(|| panic!("no removal"));
    }
    assert_eq!(
        (event.event.as_str(), &event.data["id"]),
        ("remove", &serde_json::json!(own.id))
    );
    let again = app.read_case(&lead, own.id).await;
    app.move_case(
        &lead,
        &again,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
    assert_eq!(stream.next(Duration::from_millis(300)).await, None);
}

/// Two servers on one PostgreSQL database: a move made through one reaches a stream open on
/// the other, and the other's board shows it (its caches learn of the change by LISTEN). On
/// SQLite one server owns the database file, so there is no second server to test.
#[tokio::test]
async fn a_change_through_one_server_reaches_the_boards_of_another() {
    let app = TestApp::new().await;
    if app.state.db.backend != backend::db::Backend::Postgres {
        eprintln!("SQLite: one server per database; tested on PostgreSQL");
        return;
    }
    let other = backend::AppState::new(app.state.db.clone(), (*app.state.config).clone());
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    // The other server's board, read once (and cached there).
    let read_board = |state: backend::AppState, cookie: String| async move {
        let req = Request::builder()
            .uri("/api/board")
            .header(COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        let res = backend::app(state)
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes = res
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .to_bytes();
        serde_json::from_slice::<Board>(&bytes).unwrap_or_else(|e| panic!("{e}"))
    };
    let before = read_board(other.clone(), lead.clone()).await;
    assert!(
        before
            .cards
            .iter()
            .any(|c| c.id == case.id && c.stage == Stage::Registered)
    );
    let mut stream = {
        let req = Request::builder()
            .uri(format!("/api/events?after={}", before.rev))
            .header(COOKIE, &lead)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        let res = backend::app(other.clone())
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Stream {
            body: res.into_body(),
            buffer: String::new(),
        }
    };
    assert_eq!(
        stream.next(SOON).await.map(|e| e.event),
        Some("hello".to_owned())
    );
    // Give the other server's listener a moment to connect.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The move goes through the first server.
    let started = std::time::Instant::now();
    app.move_case(
        &lead,
        &case,
        route_to(HandlerRef::Mediator(app.fixture.mediator)),
    )
    .await;
    let event = stream
        .next(SOON)
        .await
        .unwrap_or_else(|| panic!("nothing reached the other server"));
    eprintln!(
        "reached the other server's stream in {:?}",
        started.elapsed()
    );
    assert_eq!(event.event, "card");
    assert_eq!(event.data["card"]["stage"], "routed");
    let after = read_board(other.clone(), lead.clone()).await;
    assert!(after.rev > before.rev);
    assert!(
        after
            .cards
            .iter()
            .any(|c| c.id == case.id && c.stage == Stage::Routed)
    );
}

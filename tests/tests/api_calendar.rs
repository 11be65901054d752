//! The working-day calendar: reading a year, the administrator's edits, refusals that name
//! the entry, and open cases' due dates counted again when the calendar changes.

use axum::http::Method;
use chrono::{Datelike, Duration};
use concord_tests::TestApp;
use serde_json::json;
use shared::calendar::{CalendarYear, DayKind, official_years};
use shared::model::{CaseKind, Category};

async fn put(
    app: &TestApp,
    cookie: &str,
    year: i32,
    body: serde_json::Value,
) -> concord_tests::TestResponse {
    app.send(
        Method::PUT,
        &format!("/api/calendar/{year}"),
        Some(cookie),
        Some("application/json"),
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_shipped_year_reads_with_its_make_up_days_and_missing_years_are_named() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let res = app.get("/api/calendar/2026", Some(&clerk)).await;
    res.expect_status(200);
    let year: CalendarYear = res.json();
    assert!(year.entered);
    assert_eq!(year.days.len(), 39);
    let feb14 = year
        .days
        .iter()
        .find(|d| d.date.to_string() == "2026-02-14");
    assert_eq!(feb14.map(|d| d.kind), Some(DayKind::Workday));
    let this = app.state.config.today().year();
    let shipped: Vec<i32> = official_years().collect();
    let expected: Vec<i32> = (this..=this + 1).filter(|y| !shipped.contains(y)).collect();
    assert_eq!(year.missing_years, expected);
    // A year never entered reads as not entered, with no days.
    let res = app.get("/api/calendar/2031", Some(&clerk)).await;
    let empty: CalendarYear = res.json();
    assert!(!empty.entered && empty.days.is_empty());
    app.get("/api/calendar/1999", Some(&clerk))
        .await
        .expect_status(404);
    app.get("/api/calendar/2026", None).await.expect_status(401);
}

#[tokio::test]
async fn only_the_administrator_edits_and_bad_entries_are_named() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let admin = app.login("admin").await;
    let before = app.snapshot().await;
    let body = json!({"days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]});
    put(&app, &lead, 2027, body).await.expect_status(403);
    let bad = json!({"days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2026-12-31", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-01", "kind": "workday", "name": "元旦"},
        {"date": "2027-02-06", "kind": "holiday", "name": " "}
    ]});
    let res = put(&app, &admin, 2027, bad).await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, ["days[1].date", "days[2].date", "days[3].name"]);
    let res = put(
        &app,
        &admin,
        2027,
        json!({"days": [{"date": "2027-01-01", "kind": "rest", "name": "x"}]}),
    )
    .await;
    res.expect_status(422);
    assert_eq!(app.snapshot().await, before, "the database changed");
    // A good one is stored, and the year is no longer missing.
    let good = json!({"days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-20", "kind": "workday", "name": "春节"}
    ]});
    let res = put(&app, &admin, 2027, good).await;
    res.expect_status(200);
    let year: CalendarYear = res.json();
    assert!(year.entered);
    assert!(!year.missing_years.contains(&2027));
    assert_eq!(year.days.len(), 2);
}

#[tokio::test]
async fn a_holiday_entered_on_a_due_date_moves_open_working_day_clocks() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let admin = app.login("admin").await;
    let mut case = app.sample_case();
    case.category = Category::Consumer; // 45 working days
    case.kind = CaseKind::Dispute;
    let registered = app.register(&clerk, &case).await;
    let due = registered.due_on;
    // Make the due date (a working day) a holiday of its year, keeping that year's entries.
    let year = due.year();
    let current: CalendarYear = app
        .get(&format!("/api/calendar/{year}"), Some(&admin))
        .await
        .json();
    let mut days: Vec<serde_json::Value> = current
        .days
        .iter()
        .map(|d| json!({"date": d.date.to_string(), "kind": d.kind.as_str(), "name": d.name}))
        .collect();
    days.push(json!({"date": due.to_string(), "kind": "holiday", "name": "测试假日"}));
    put(&app, &admin, year, json!({ "days": days }))
        .await
        .expect_status(200);
    let after = app.read_case(&clerk, registered.id).await;
    assert!(after.due_on > due, "{} then {}", due, after.due_on);
    assert!(after.due_on <= due + Duration::days(4));
    assert_eq!(after.due_explained.due_on, after.due_on);
    assert!(after.due_explained.holidays_skipped >= 1);
    // The version did not move: the lead's next move is not a conflict.
    assert_eq!(after.version, registered.version);
    // The board shows the new date too.
    let lead = app.login("lead").await;
    let board = app.get("/api/board", Some(&lead)).await;
    let text = String::from_utf8_lossy(&board.body).to_string();
    assert!(text.contains(&after.due_on.to_string()));
}

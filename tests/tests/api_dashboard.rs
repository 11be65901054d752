//! The dashboard (`GET /api/dashboard`) against the real router on a fresh database: each
//! figure against a count made independently in SQL and against the case list its link opens,
//! the period and place, who may see it, bad queries by field, another town's cases, and
//! requests arriving together while a write lands.

use concord_tests::{TestApp, join_all};
use shared::ErrorKind;
use shared::api::{CaseListItem, ClosedOnTheSpot, Page};
use shared::figures::{Dashboard, Dimension, Figure};
use shared::model::{CaseKind, Category, Channel, LegalRoute, Outcome, RiskFlag};
use shared::workflow::Command;

/// The total of the case list for a filter.
async fn listed(app: &TestApp, cookie: &str, filter: &shared::api::CaseFilter) -> u64 {
    let query = serde_urlencoded::to_string(filter).unwrap_or_default();
    let res = app
        .get(&format!("/api/cases?per_page=1&{query}"), Some(cookie))
        .await;
    res.expect_status(200);
    res.json::<Page<CaseListItem>>().total
}

async fn dashboard(app: &TestApp, cookie: &str, query: &str) -> Dashboard {
    let res = app
        .get(&format!("/api/dashboard{query}"), Some(cookie))
        .await;
    res.expect_status(200);
    res.json()
}

/// Town A's year: seven matters in the period, one from long before, one of town B.
async fn a_year(app: &TestApp) {
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let grid = app.login("grid").await;
    // 1. A dispute resolved by an oral agreement, on time.
    let one = app.register(&clerk, &app.sample_case()).await;
    app.close_case(&one, Outcome::AgreementOral, "双方和解")
        .await;
    // 2. A dispute whose mediation ended without agreement (not resolved).
    let two = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &two,
            Command::Route {
                handler: shared::model::HandlerRef::Mediator(app.fixture.mediator),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let handling = app.move_case(&mediator, &routed, Command::Accept).await;
    app.move_case(
        &mediator,
        &handling,
        Command::Close {
            outcome: Outcome::Terminated,
            summary: "调解不成".to_owned(),
            route_told: Some(LegalRoute::Litigation),
        },
    )
    .await;
    // 3. A dispute withdrawn (not counted in the rate).
    let three = app.register(&clerk, &app.sample_case()).await;
    app.close_case(&three, Outcome::Withdrawn, "申请人撤回")
        .await;
    // 4. A legal consultation answered, but after its due date (late).
    let mut consult = app.sample_case();
    consult.kind = CaseKind::Consultation;
    consult.category = Category::Other;
    consult.channel = Channel::Hotline12345;
    let four = app.register(&clerk, &consult).await;
    let four = app.close_case(&four, Outcome::Explained, "已解答").await;
    app.execute(&format!(
        "UPDATE cases SET due_on = '2020-01-01' WHERE id = {}",
        four.id
    ))
    .await;
    // 5. Settled on the spot by the grid worker.
    let mut spot = app.sample_case();
    spot.channel = Channel::GridReport;
    spot.closed_on_the_spot = Some(ClosedOnTheSpot {
        outcome: Outcome::AgreementOral,
        summary: "现场说和".to_owned(),
    });
    app.register(&grid, &spot).await;
    // 6. A repeat petition, open and overdue.
    let mut petition = app.sample_case();
    petition.kind = CaseKind::Petition;
    petition.channel = Channel::VisitorHall;
    petition.risk_flags = vec![RiskFlag::RepeatPetition];
    let six = app.register(&clerk, &petition).await;
    app.execute(&format!(
        "UPDATE cases SET due_on = '2020-01-01' WHERE id = {}",
        six.id
    ))
    .await;
    // 7. A criminal risk in the second village, reported to the police.
    let mut risky = app.sample_case();
    risky.village_id = app.fixture.villages[1];
    risky.area_id = Some(app.fixture.areas[1][0]);
    risky.group_id = Some(app.fixture.groups[1][0][0]);
    risky.risk_flags = vec![RiskFlag::CriminalRisk];
    app.register(&clerk, &risky).await;
    // Long before: registered and closed 500 days ago.
    let old = app.register(&clerk, &app.sample_case()).await;
    let old = app.close_case(&old, Outcome::Explained, "已解释").await;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(500)).timestamp_millis();
    app.execute(&format!(
        "UPDATE cases SET registered_at = {long_ago}, closed_at = {long_ago} WHERE id = {}",
        old.id
    ))
    .await;
    // Town B's matter.
    let lead_b = app.login("lead_b").await;
    let mut b = app.sample_case();
    b.village_id = app.fixture.village_b;
    b.area_id = None;
    b.group_id = None;
    app.register(&lead_b, &b).await;
}

/// A count made straight from the database, for town A.
async fn count(app: &TestApp, condition: &str) -> u64 {
    let sql = format!(
        "SELECT COUNT(*) FROM cases WHERE town_id = {} AND {condition}",
        app.fixture.town_a
    );
    let n: i64 = sqlx::query_scalar(&sql)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    u64::try_from(n).unwrap_or(0)
}

#[tokio::test]
async fn the_dashboard_counts_a_year_as_the_database_does_and_each_figure_lists_its_cases() {
    let app = TestApp::new().await;
    Box::pin(a_year(&app)).await;
    let lead = app.login("lead").await;
    let d = dashboard(&app, &lead, "").await;
    let t = &d.totals;
    // Independent counts: the default period is the last twelve months (the old case is
    // outside it, town B's matter is another town's).
    let recent = format!(
        "registered_at >= {}",
        (chrono::Utc::now() - chrono::Duration::days(366)).timestamp_millis()
    );
    assert_eq!(t.all.received, count(&app, &recent).await);
    assert_eq!(t.all.received, 7);
    assert_eq!(t.all.closed, 5);
    assert_eq!(
        t.all.closed,
        count(&app, &format!("{recent} AND closed_at IS NOT NULL")).await
    );
    assert_eq!(
        (t.all.resolved, t.all.unresolved, t.all.uncounted),
        (3, 1, 1)
    );
    assert_eq!(t.all.resolution_rate(), Some(75.0));
    assert_eq!(
        (
            t.disputes.resolved,
            t.disputes.unresolved,
            t.disputes.uncounted
        ),
        (2, 1, 1)
    );
    assert_eq!(t.disputes.resolution_rate(), Some(66.7));
    assert_eq!((t.all.on_time, t.all.late()), (4, 1));
    assert_eq!(t.all.on_time_rate(), Some(80.0));
    assert!(t.all.average_days().is_some_and(|d| d < 1.0));
    assert_eq!(t.services, 1);
    assert_eq!(
        t.visitors,
        count(
            &app,
            &format!("{recent} AND channel IN ('window', 'visitor_hall')")
        )
        .await
    );
    assert_eq!(t.visitors, 5);
    assert_eq!((t.petitions, t.repeat_petitions), (1, 1));
    assert_eq!((t.on_the_spot, t.on_the_spot_grid), (1, 1));
    assert_eq!(t.police, 1);
    assert_eq!(t.overdue, 1);
    assert_eq!(d.overdue.len(), 1);
    assert_eq!(d.overdue[0].kind, CaseKind::Petition);
    assert!(d.overdue[0].days_over > 300);
    assert!(!d.overdue[0].village.is_empty());

    // The first village's disputes rose (four against the old case alone the year before); the
    // second has one, not enough to rise. The link lists the four.
    let rising: Vec<i64> = d.rising.iter().map(|r| r.village_id).collect();
    assert_eq!(rising, vec![app.fixture.villages[0]]);
    assert_eq!((d.rising[0].now, d.rising[0].before), (4, 1));
    assert_eq!(listed(&app, &lead, &d.rising_link(&d.rising[0])).await, 4);

    // Every figure lists exactly its cases.
    for (figure, n) in [
        (Figure::Received, 7),
        (Figure::Closed, 5),
        (Figure::Resolved, 3),
        (Figure::Unresolved, 1),
        (Figure::Uncounted, 1),
        (Figure::OnTime, 4),
        (Figure::Late, 1),
        (Figure::Services, 1),
        (Figure::Visitors, 5),
        (Figure::Petitions, 1),
        (Figure::RepeatPetitions, 1),
        (Figure::OnTheSpot, 1),
        (Figure::OnTheSpotGrid, 1),
        (Figure::Police, 1),
        (Figure::Overdue, 1),
    ] {
        assert_eq!(listed(&app, &lead, &d.link(figure)).await, n, "{figure:?}");
    }
    // The tables: kinds, the mediator who closed three, the village.
    let kinds = d
        .breakdown(Dimension::Kind)
        .map(|b| b.rows.clone())
        .unwrap_or_default();
    let dispute = kinds.iter().find(|r| r.key == "dispute");
    assert_eq!(dispute.map(|r| r.counts.received), Some(5));
    assert_eq!(dispute.map(|r| r.label.as_str()), Some("矛盾纠纷"));
    let mediators = d
        .breakdown(Dimension::Handler)
        .map(|b| b.rows.clone())
        .unwrap_or_default();
    assert_eq!(mediators.len(), 1);
    assert_eq!(
        mediators[0].key,
        format!("mediator:{}", app.fixture.mediator)
    );
    assert_eq!(mediators[0].counts.closed, 4);
    for by in Dimension::ALL {
        for row in d.breakdown(by).map(|b| b.rows.clone()).unwrap_or_default() {
            for (figure, n) in [
                (Figure::Received, row.counts.received),
                (Figure::Closed, row.counts.closed),
                (Figure::Resolved, row.counts.resolved),
                (Figure::Late, row.counts.late()),
            ] {
                let Some(filter) = by.narrow(d.link(figure), &row.key) else {
                    panic!("{by:?} {}", row.key)
                };
                assert_eq!(
                    listed(&app, &lead, &filter).await,
                    n,
                    "{by:?} {} {figure:?}",
                    row.key
                );
            }
        }
    }
    // The trend's months add up to the period.
    assert_eq!(d.trend.iter().map(|m| m.received).sum::<u64>(), 7);
    assert_eq!(d.trend.iter().map(|m| m.resolved).sum::<u64>(), 3);

    // One village.
    let second = dashboard(
        &app,
        &lead,
        &format!("?village={}", app.fixture.villages[1]),
    )
    .await;
    assert_eq!((second.totals.all.received, second.totals.police), (1, 1));
    assert_eq!(second.totals.all.closed, 0);
    assert_eq!(
        second.totals.all.resolution_rate(),
        None,
        "nothing closed: no rate"
    );

    // A period long ago holds only the old case.
    let old_day = (chrono::Utc::now() - chrono::Duration::days(500))
        .with_timezone(&app.state.config.timezone())
        .date_naive();
    let old = dashboard(&app, &lead, &format!("?from={old_day}&to={old_day}")).await;
    assert_eq!((old.totals.all.received, old.totals.all.resolved), (1, 1));
    assert_eq!(old.trend.len(), 1);

    // Town B's lead sees town B's matter only.
    let lead_b = app.login("lead_b").await;
    let b = dashboard(&app, &lead_b, "").await;
    assert_eq!(b.totals.all.received, 1);
    assert!(b.overdue.is_empty());
}

#[tokio::test]
async fn the_dashboard_is_for_the_lead_town_leaders_and_the_administrator_only() {
    let app = TestApp::new().await;
    for user in ["lead", "leader", "admin"] {
        let cookie = app.login(user).await;
        app.get("/api/dashboard", Some(&cookie))
            .await
            .expect_status(200);
    }
    for user in ["clerk", "mediator", "police", "grid"] {
        let cookie = app.login(user).await;
        let res = app.get("/api/dashboard", Some(&cookie)).await;
        res.expect_status(403);
        assert_eq!(res.error().kind, ErrorKind::Forbidden, "{user}");
    }
    app.get("/api/dashboard", None).await.expect_status(401);
}

#[tokio::test]
async fn a_bad_dashboard_query_names_its_field() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let other_town = format!("?village={}", app.fixture.village_b);
    for (query, field) in [
        ("?from=2026-02-30", "from"),
        ("?to=tomorrow", "to"),
        ("?from=2026-03-01&to=2026-02-01", "to"),
        ("?from=2019-01-01&to=2026-01-01", "from"),
        ("?rise=0", "rise"),
        ("?rise=5000", "rise"),
        (other_town.as_str(), "village"),
        ("?village=abc", "village"),
    ] {
        let res = app
            .get(&format!("/api/dashboard{query}"), Some(&lead))
            .await;
        res.expect_status(422);
        let error = res.error();
        assert!(
            error.fields.iter().any(|f| f.field == field),
            "{query}: {error:?}"
        );
    }
    // In English when asked.
    let res = app
        .get_en("/api/dashboard?from=2026-03-01&to=2026-02-01", Some(&lead))
        .await;
    res.expect_status(422);
    assert!(
        res.text()
            .contains("The last day cannot be before the first"),
        "{}",
        res.text()
    );
    // The labels follow the language.
    let d: Dashboard = app.get_en("/api/dashboard", Some(&lead)).await.json();
    assert_eq!(
        d.from,
        shared::figures::PeriodPreset::Last12.range(d.today).0
    );
}

#[tokio::test]
async fn requests_arriving_together_build_the_dashboard_once_and_a_write_is_counted_at_once() {
    let app = TestApp::new().await;
    Box::pin(a_year(&app)).await;
    let lead = app.login("lead").await;
    let clerk = app.login("clerk").await;
    let before = app.state.dashboards.builds();
    let answers = join_all((0..16).map(|_| dashboard(&app, &lead, ""))).await;
    assert_eq!(
        app.state.dashboards.builds(),
        before + 1,
        "one build for the herd"
    );
    assert!(answers.iter().all(|d| *d == answers[0]));
    // A new matter moves the town's revision: the next answer counts it.
    app.register(&clerk, &app.sample_case()).await;
    let after = dashboard(&app, &lead, "").await;
    assert_eq!(
        after.totals.all.received,
        answers[0].totals.all.received + 1
    );
    // Reads beside writes: every answer is whole (received never below what was there).
    let (reads, writes) = tokio::join!(
        join_all((0..8).map(|_| dashboard(&app, &lead, ""))),
        join_all((0..4).map(|_| {
            let (app, clerk) = (&app, &clerk);
            async move { app.register(clerk, &app.sample_case()).await }
        }))
    );
    assert_eq!(writes.len(), 4);
    for d in &reads {
        assert!(d.totals.all.received >= after.totals.all.received);
    }
    let last = dashboard(&app, &lead, "").await;
    assert_eq!(last.totals.all.received, after.totals.all.received + 4);
}

//! The generator's pure parts: the roster, the seed's numbers, the board, the clocks, the
//! parties and determinism. (Loading into a real database is tested in `tests/tests/demo.rs`.)

use std::collections::HashSet;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use shared::Lang;
use shared::api::{ClosedOnTheSpot, RegisterCase};
use shared::deadline::ClockRule;
use shared::model::{EventKind, Outcome, PartyKind, PartySide, Role, Stage};
use shared::validate::{check_register, is_valid_id_number, is_valid_phone, normalize_case_code};

use super::plan::{DemoSize, Plan, plan};
use super::roster::{self, grid_roster_counts};
use super::write::accounts;

fn tz() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix()))
}

/// Noon in China on a Friday.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 4, 0, 0)
        .single()
        .unwrap_or_default()
}

fn default_plan() -> Plan {
    plan(DemoSize::default(), now(), tz())
}

use chrono::Offset as _;

#[test]
fn the_grid_roster_adds_up_to_the_seeds_47() {
    let (leaders, areas, groups) = grid_roster_counts();
    assert_eq!(leaders, 10);
    assert_eq!(leaders + areas + groups, 47);
    assert_eq!(roster::FULL_TIME_GRID_WORKERS.len(), areas);
    assert_eq!(roster::AUXILIARY_GRID_WORKERS.len(), groups);
    let accounts = accounts();
    let grid = accounts
        .iter()
        .filter(|a| matches!(a.role, Role::GridWorker | Role::TownLeader))
        .count();
    assert_eq!(grid, 47);
    assert_eq!(
        accounts
            .iter()
            .filter(|a| a.role == Role::TownLeader)
            .count(),
        roster::VILLAGES.len()
    );
}

#[test]
fn accounts_have_unique_ascii_usernames_and_every_role_of_a_center() {
    let accounts = accounts();
    let names: HashSet<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names.len(), accounts.len());
    assert!(names.iter().all(|n| n.is_ascii() && !n.is_empty()));
    for name in [
        "lead",
        "clerk",
        "clerk2",
        "mediator1",
        "mediator6",
        "police",
        "judicial",
        "land",
        "market",
        "lawsociety",
        "tribunal",
        "legal",
        "psych",
        "leader01",
        "leader10",
        "grid01",
        "grid37",
    ] {
        assert!(names.contains(name), "{name} missing");
    }
    assert!(!names.contains("admin"), "the server creates admin");
    for role in [Role::Lead, Role::Clerk, Role::Mediator, Role::Liaison] {
        assert!(accounts.iter().any(|a| a.role == role), "{role:?}");
    }
}

#[test]
fn the_default_demo_resolves_about_140_disputes_at_95_percent() {
    let s = default_plan().summary();
    assert!((140..=150).contains(&s.disputes_resolved), "{s:?}");
    let rate = s.dispute_resolution_rate.unwrap_or_default();
    assert!((94.0..=96.0).contains(&rate), "rate {rate}");
    assert!((230..=240).contains(&s.services), "services {}", s.services);
    assert!((300..=340).contains(&s.visitors), "visitors {}", s.visitors);
    assert!(s.petitions > 20 && s.demands > 50, "{s:?}");
}

#[test]
fn the_default_board_has_cases_in_every_column_some_overdue_some_due_soon() {
    let p = default_plan();
    let s = p.summary();
    assert!(s.board.iter().all(|n| *n >= 5), "{:?}", s.board);
    assert!(s.overdue >= 5, "overdue {}", s.overdue);
    assert!(s.due_soon >= 5, "due soon {}", s.due_soon);
    let routed: Vec<_> = p
        .cases
        .iter()
        .filter(|c| c.stage == Stage::Routed)
        .collect();
    assert!(
        routed
            .iter()
            .any(|c| matches!(c.handler, Some(super::plan::Assignee::Mediator(_))))
    );
    assert!(
        routed
            .iter()
            .any(|c| matches!(c.handler, Some(super::plan::Assignee::Dept(_))))
    );
    let overdue_a_week = p
        .cases
        .iter()
        .filter(|c| c.stage.is_open() && (p.today - c.due_on).num_days() >= 7)
        .count();
    assert!(overdue_a_week >= 1);
}

#[test]
fn planning_is_deterministic() {
    assert_eq!(default_plan(), default_plan());
    let size = DemoSize {
        open: Some(300),
        closed: Some(200),
        towns: None,
    };
    assert_eq!(plan(size, now(), tz()), plan(size, now(), tz()));
    // A load on another day, or early in the morning, gives the same numbers.
    let s = default_plan().summary();
    for at in [
        now() + Duration::days(40),
        now() - Duration::hours(5),
        now() + Duration::hours(9),
    ] {
        let other = plan(DemoSize::default(), at, tz()).summary();
        let key = |s: &super::Summary| {
            (
                s.cases,
                s.board,
                s.archived,
                s.disputes_resolved,
                s.disputes_counted,
                s.services,
                s.visitors,
                s.petitions,
                s.demands,
            )
        };
        assert_eq!(key(&s), key(&other), "loaded at {at}");
        assert!(
            other.overdue >= 5 && other.due_soon >= 5,
            "loaded at {at}: {other:?}"
        );
    }
}

#[test]
fn a_sized_demo_has_exactly_the_open_and_closed_cases_asked_for() {
    let p = plan(
        DemoSize {
            open: Some(1000),
            closed: Some(700),
            towns: None,
        },
        now(),
        tz(),
    );
    let s = p.summary();
    assert_eq!(s.board.iter().sum::<usize>(), 1000);
    assert_eq!(s.archived, 700);
    assert!(s.board[0] >= 350, "a good share registered: {:?}", s.board);
    assert!(s.board.iter().all(|n| *n > 0));
    assert!(s.overdue > 0 && s.due_soon > 0);
    for c in p.cases.iter().filter(|c| c.stage != Stage::Archived) {
        assert!(
            c.parties
                .iter()
                .any(|p| p.side == PartySide::Applicant && p.phone.is_some()),
            "{}",
            c.code
        );
    }
    let rate = s.dispute_resolution_rate.unwrap_or_default();
    assert!((92.0..=97.5).contains(&rate), "rate {rate}");
}

#[test]
fn parties_have_valid_phones_and_id_numbers() {
    let p = default_plan();
    let mut phones = 0;
    for c in &p.cases {
        assert!(c.parties.iter().any(|p| p.side == PartySide::Applicant));
        for party in &c.parties {
            if let Some(phone) = &party.phone {
                assert!(is_valid_phone(phone), "{phone}");
                phones += 1;
            }
            if let Some(id) = &party.id_number {
                assert_eq!(party.kind, PartyKind::Person);
                assert!(is_valid_id_number(id), "{id}");
            }
        }
    }
    assert!(phones > 500);
}

#[test]
fn every_case_passes_the_intake_checks() {
    for c in &default_plan().cases {
        let req = RegisterCase {
            kind: c.kind,
            category: c.category,
            channel: c.channel,
            risk: c.risk,
            risk_flags: c.risk_flags.clone(),
            summary: c.summary.clone(),
            facts: c.facts.clone(),
            request: c.request.clone(),
            village_id: 1,
            area_id: None,
            group_id: None,
            parties: c.parties.clone(),
            closed_on_the_spot: c
                .events
                .iter()
                .any(|e| e.kind == EventKind::ClosedOnTheSpot)
                .then(|| ClosedOnTheSpot {
                    outcome: c.outcome.unwrap_or(Outcome::Explained),
                    summary: c.outcome_summary.clone().unwrap_or_default(),
                }),
            repeat_of: c.repeat_of.clone(),
            not_repeat_of: Vec::new(),
            from_visit: None,
        };
        assert_eq!(
            check_register(&req, Lang::En),
            Ok(()),
            "{}: {}",
            c.code,
            c.summary
        );
        assert!(
            !c.summary.contains('{') && !c.facts.contains('{'),
            "{}",
            c.summary
        );
    }
}

#[test]
fn codes_are_unique_valid_and_dated_by_registration() {
    let p = plan(
        DemoSize {
            open: Some(2000),
            closed: Some(2000),
            towns: None,
        },
        now(),
        tz(),
    );
    let mut seen = HashSet::new();
    for c in &p.cases {
        assert_eq!(
            normalize_case_code(&c.code).as_deref(),
            Some(c.code.as_str())
        );
        assert!(seen.insert(c.code.clone()), "{} twice", c.code);
        let local = c.registered_at.with_timezone(&tz());
        assert_eq!(&c.code[..4], local.format("%y%m").to_string());
    }
}

#[test]
fn due_dates_follow_the_default_clocks_from_the_day_of_registration() {
    for c in &default_plan().cases {
        let rule = ClockRule::default_for(c.kind, c.category, c.channel);
        assert_eq!(c.clock.rule, rule);
        let day = c.registered_at.with_timezone(&tz()).date_naive();
        assert_eq!(c.clock.started_on, day);
        assert_eq!(
            c.due_on,
            rule.due_from(day, &shared::calendar::Calendar::official())
        );
    }
}

#[test]
fn the_event_log_tells_each_case_in_order_before_now() {
    let p = default_plan();
    let one_year = now() - Duration::days(366);
    for c in &p.cases {
        let first = &c.events[0];
        assert_eq!(first.kind, EventKind::Registered);
        assert_eq!(first.at, c.registered_at);
        assert!(c.registered_at > one_year, "{}", c.code);
        for pair in c.events.windows(2) {
            assert!(pair[0].at <= pair[1].at, "{}: events out of order", c.code);
        }
        let last = c.events.last().map(|e| e.at).unwrap_or_default();
        assert!(last <= now(), "{}: an event after now", c.code);
        // The stage the last stage-changing event leads to is the case's stage.
        let last_move = c.events.iter().rev().find(|e| e.to.is_some());
        assert_eq!(last_move.and_then(|e| e.to), Some(c.stage), "{}", c.code);
        // Stage fields match the story.
        let accepted = c.events.iter().any(|e| e.kind == EventKind::Accepted);
        let handled = match c.stage {
            Stage::Registered => false,
            Stage::Routed | Stage::InHandling => true,
            Stage::Closed | Stage::Archived => accepted,
        };
        assert_eq!(c.handler.is_some(), handled, "{}", c.code);
        assert_eq!(
            c.outcome.is_some(),
            matches!(c.stage, Stage::Closed | Stage::Archived)
        );
        assert_eq!(c.archived_at.is_some(), c.stage == Stage::Archived);
        if c.outcome == Some(Outcome::Terminated) {
            assert!(c.route_told.is_some(), "{}", c.code);
        }
        if let Some(closed) = c.closed_at {
            assert!(closed >= c.registered_at);
            assert!(c.archived_at.is_none_or(|a| a > closed));
        }
    }
}

#[test]
fn events_are_made_by_who_may_make_them() {
    use super::plan::Who;
    for c in &default_plan().cases {
        for e in &c.events {
            match e.kind {
                EventKind::Routed | EventKind::Archived => assert_eq!(e.who, Who::Lead),
                EventKind::Accepted | EventKind::Closed | EventKind::Note => {
                    assert_ne!(e.who, Who::Lead, "{}: {:?}", c.code, e.kind);
                }
                EventKind::Registered | EventKind::ClosedOnTheSpot => {
                    assert_eq!(e.who, c.registered_by);
                }
                _ => {}
            }
        }
    }
}

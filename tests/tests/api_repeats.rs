//! Repeat matters (重复信访) against the real router on a fresh database: the search by phone
//! and by ID number (open and recently closed cases of the town, newest first, the case itself
//! left out), what a match shows to a clerk and to a grid worker, every refusal by name, the
//! limit on searches sent together, the link made at registration (a petition on an open
//! matter marked 重复信访 and counted), and the link made or removed afterwards (stale, circular
//! and foreign links refused).

use concord_tests::{TestApp, join_all};
use shared::api::{Board, CaseFilter};
use shared::figures::Dashboard;
use shared::model::{CaseDetail, CaseEvent, CaseKind, EventKind, RiskFlag, Stage};
use shared::repeats::{LinkRepeat, MatchedBy, RepeatMatches, RepeatSearch};
use shared::workflow::Command;

fn by_phone(phone: &str) -> RepeatSearch {
    RepeatSearch {
        phones: vec![phone.to_owned()],
        ..RepeatSearch::default()
    }
}

async fn search(app: &TestApp, cookie: &str, body: &RepeatSearch) -> RepeatMatches {
    let res = app
        .post_json("/api/repeats/search", Some(cookie), body)
        .await;
    res.expect_status(200);
    res.json()
}

fn codes(m: &RepeatMatches) -> Vec<String> {
    m.matches.iter().map(|m| m.code.clone()).collect()
}

/// A case of the sample whose applicant is `name` with `phone` (and the sample's ID number).
async fn case_of(
    app: &TestApp,
    cookie: &str,
    kind: CaseKind,
    name: &str,
    phone: &str,
) -> CaseDetail {
    let mut body = app.sample_case();
    body.kind = kind;
    body.summary = format!("{name}反映排水沟堵塞");
    body.parties[0].name = name.to_owned();
    body.parties[0].phone = Some(phone.to_owned());
    app.register(cookie, &body).await
}

#[tokio::test]
async fn the_search_finds_open_and_recent_cases_of_the_town_by_phone_or_id() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let first = case_of(&app, &clerk, CaseKind::Dispute, "王五", "13700001111").await;
    let second = case_of(&app, &clerk, CaseKind::Dispute, "赵六", "13700002222").await;
    // A landline with its dash; the same number typed without it matches.
    let mut landline = app.sample_case();
    landline.parties[0].phone = Some("0937-5521234".to_owned());
    let third = app.register(&clerk, &landline).await;
    // Town B's case with the same phone is not town A's business.
    let lead_b = app.login("lead_b").await;
    let mut other_town = app.sample_case();
    other_town.village_id = app.fixture.village_b;
    other_town.area_id = None;
    other_town.group_id = None;
    other_town.parties[0].phone = Some("13700001111".to_owned());
    app.register(&lead_b, &other_town).await;

    let found = search(&app, &clerk, &by_phone("13700001111")).await;
    assert_eq!(codes(&found), std::slice::from_ref(&first.code));
    let m = &found.matches[0];
    assert_eq!(
        (m.matched_by, m.number.as_str()),
        (MatchedBy::Phone, "137****1111")
    );
    assert_eq!(m.party, "王某");
    assert_eq!(m.key, "13700001111");
    assert_eq!(m.stage, Stage::Registered);
    // The clerk sees every case's parties: the summary as typed.
    assert_eq!(m.summary, "王五反映排水沟堵塞");

    let landline_found = search(&app, &clerk, &by_phone("09375521234")).await;
    assert_eq!(codes(&landline_found), std::slice::from_ref(&third.code));

    // The ID number, typed with a small x: every case of the sample, newest first, each once
    // (the ID and the phone of one case match once).
    let by_id = RepeatSearch {
        phones: vec!["13700002222".to_owned()],
        id_numbers: vec!["11010519491231002x".to_owned()],
        exclude_case_id: None,
    };
    let found = search(&app, &clerk, &by_id).await;
    assert_eq!(
        codes(&found),
        [third.code.clone(), second.code.clone(), first.code.clone()]
    );
    assert_eq!(found.matches[1].matched_by, MatchedBy::Phone);
    assert_eq!(found.matches[0].matched_by, MatchedBy::IdNumber);
    assert_eq!(found.matches[0].number, "1101**********002X");
    assert!(!found.more);

    // The case being looked at is left out of its own matches.
    let without = RepeatSearch {
        exclude_case_id: Some(third.id),
        ..by_id.clone()
    };
    assert_eq!(
        codes(&search(&app, &clerk, &without).await),
        [second.code.clone(), first.code.clone()]
    );

    // A case closed 200 days ago is no longer recent; one closed 100 days ago is.
    let day = 86_400_000_i64;
    let now = chrono::Utc::now().timestamp_millis();
    app.execute(&format!(
        "UPDATE cases SET stage = 'closed', outcome = 'agreement_oral', closed_at = {} WHERE id = {}",
        now - 200 * day,
        first.id
    ))
    .await;
    app.execute(&format!(
        "UPDATE cases SET stage = 'closed', outcome = 'agreement_oral', closed_at = {} WHERE id = {}",
        now - 100 * day,
        second.id
    ))
    .await;
    let found = search(&app, &clerk, &by_id).await;
    assert_eq!(codes(&found), [third.code.clone(), second.code.clone()]);
    assert!(found.matches[1].closed_on.is_some());
}

#[tokio::test]
async fn a_grid_worker_learns_that_a_match_exists_and_its_code_not_the_names() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = case_of(&app, &clerk, CaseKind::Dispute, "王五", "13700001111").await;
    let grid = app.login("grid").await;
    let found = search(&app, &grid, &by_phone("13700001111")).await;
    assert_eq!(codes(&found), [case.code]);
    let m = &found.matches[0];
    assert_eq!(m.summary, "王某反映排水沟堵塞");
    assert_eq!(
        (m.party.as_str(), m.number.as_str()),
        ("王某", "137****1111")
    );
    let json = serde_json::to_string(&found).unwrap_or_default();
    // (The number searched comes back only as the key it was searched by.)
    for secret in ["王五", "11010519491231002X", "李四"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
}

#[tokio::test]
async fn a_search_refuses_bad_numbers_by_name_and_those_who_do_not_register() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let bad = RepeatSearch {
        phones: vec!["13700001111".into(), "12345".into()],
        id_numbers: vec!["110105194912310021".into()],
        exclude_case_id: None,
    };
    let res = app
        .post_json("/api/repeats/search", Some(&clerk), &bad)
        .await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, ["phones[1]", "id_numbers[0]"]);

    let res = app
        .post_json(
            "/api/repeats/search",
            Some(&clerk),
            &RepeatSearch::default(),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "phones");

    let many = RepeatSearch {
        phones: (0..21).map(|i| format!("1370000{i:04}")).collect(),
        ..RepeatSearch::default()
    };
    let res = app
        .post_json("/api/repeats/search", Some(&clerk), &many)
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "phones");

    for who in ["mediator", "police", "leader"] {
        let cookie = app.login(who).await;
        app.post_json(
            "/api/repeats/search",
            Some(&cookie),
            &by_phone("13700001111"),
        )
        .await
        .expect_status(403);
    }
    app.post_json("/api/repeats/search", None, &by_phone("13700001111"))
        .await
        .expect_status(401);
}

#[tokio::test]
async fn searches_sent_together_stop_at_the_limit() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let limit = 300;
    let statuses = join_all((0..limit + 20).map(|i| {
        let (app, clerk) = (&app, &clerk);
        async move {
            app.post_json(
                "/api/repeats/search",
                Some(clerk),
                &by_phone(&format!("1370000{:04}", i % 1000)),
            )
            .await
            .status
        }
    }))
    .await;
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((ok, limited), (limit, 20), "{statuses:?}");
    // Another person is not held back by the clerk's searches.
    let lead = app.login("lead").await;
    search(&app, &lead, &by_phone("13700001111")).await;
}

#[tokio::test]
async fn a_petition_linked_at_registration_to_an_open_matter_is_a_counted_repeat_petition() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let earlier = case_of(&app, &clerk, CaseKind::Dispute, "王五", "13700001111").await;
    let other = case_of(&app, &clerk, CaseKind::Dispute, "赵六", "13700002222").await;

    let mut petition = app.sample_case();
    petition.kind = CaseKind::Petition;
    petition.parties[0].phone = Some("13700001111".to_owned());
    petition.repeat_of = Some(earlier.code.to_lowercase());
    petition.not_repeat_of = vec![other.code.clone()];
    let repeat = app.register(&clerk, &petition).await;
    assert_eq!(repeat.repeat_of.as_ref().map(|r| r.id), Some(earlier.id));
    assert_eq!(repeat.risk_flags, [RiskFlag::RepeatPetition]);

    let earlier_now = app.read_case(&lead, earlier.id).await;
    assert_eq!(
        earlier_now
            .repeated_by
            .iter()
            .map(|r| r.code.clone())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&repeat.code)
    );
    // The board's card carries the link.
    let board: Board = app.get("/api/board", Some(&lead)).await.json();
    let card = board.cards.iter().find(|c| c.id == repeat.id);
    assert_eq!(
        card.and_then(|c| c.repeat_of.clone()),
        Some(earlier.code.clone())
    );
    // The timeline keeps the check as the clerk left it.
    let timeline: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", repeat.id), Some(&lead))
        .await
        .json();
    let registered = timeline.iter().find(|e| e.kind == EventKind::Registered);
    let details = registered.map(|e| e.details.clone()).unwrap_or_default();
    assert!(
        details.contains(&("repeat_of".to_owned(), earlier.code.clone())),
        "{details:?}"
    );
    assert!(
        details.contains(&("not_repeat_of".to_owned(), other.code.clone())),
        "{details:?}"
    );
    // Counted as a repeat petition, and found by the list's filter.
    let d: Dashboard = app.get("/api/dashboard", Some(&lead)).await.json();
    assert_eq!((d.totals.petitions, d.totals.repeat_petitions), (1, 1));
    let filter = CaseFilter {
        flag: Some(RiskFlag::RepeatPetition),
        ..CaseFilter::default()
    };
    let list: shared::api::Page<shared::api::CaseListItem> = app
        .get(
            &format!(
                "/api/cases?{}",
                serde_urlencoded::to_string(&filter).unwrap_or_default()
            ),
            Some(&lead),
        )
        .await
        .json();
    assert_eq!(
        list.items.iter().map(|i| i.card.id).collect::<Vec<_>>(),
        [repeat.id]
    );

    // A dispute linked to an earlier matter is a repeat, not a repeat petition.
    let mut dispute = app.sample_case();
    dispute.repeat_of = Some(earlier.code.clone());
    let linked = app.register(&clerk, &dispute).await;
    assert!(linked.risk_flags.is_empty());
    assert!(linked.repeat_of.is_some());
}

#[tokio::test]
async fn a_link_to_no_case_of_the_town_is_refused_by_name_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead_b = app.login("lead_b").await;
    let mut foreign = app.sample_case();
    foreign.village_id = app.fixture.village_b;
    foreign.area_id = None;
    foreign.group_id = None;
    let town_b_case = app.register(&lead_b, &foreign).await;
    let before = app.count("cases").await;
    for (field, repeat_of, not_repeat_of) in [
        ("repeat_of", Some("0000-ZZZZ".to_owned()), vec![]),
        ("repeat_of", Some(town_b_case.code.clone()), vec![]),
        ("repeat_of", Some("not a code".to_owned()), vec![]),
        ("not_repeat_of[0]", None, vec![town_b_case.code.clone()]),
    ] {
        let mut body = app.sample_case();
        body.repeat_of = repeat_of;
        body.not_repeat_of = not_repeat_of;
        let res = app.post_json("/api/cases", Some(&clerk), &body).await;
        res.expect_status(422);
        assert_eq!(res.error().fields[0].field, field);
    }
    assert_eq!(app.count("cases").await, before);
}

#[tokio::test]
async fn a_link_made_later_is_checked_and_can_be_removed() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let earlier = case_of(&app, &clerk, CaseKind::Dispute, "王五", "13700001111").await;
    let mut petition = app.sample_case();
    petition.kind = CaseKind::Petition;
    let later = app.register(&clerk, &petition).await;
    let path = format!("/api/cases/{}/repeat-of", later.id);
    let link = |of: &str, version: i64| LinkRepeat {
        of: Some(of.to_owned()),
        version,
    };

    // Those who do not register and link may not; another town does not see the case.
    for who in ["mediator", "grid"] {
        let cookie = app.login(who).await;
        app.put_json(&path, Some(&cookie), &link(&earlier.code, later.version))
            .await
            .expect_status(403);
    }
    let lead_b = app.login("lead_b").await;
    app.put_json(&path, Some(&lead_b), &link(&earlier.code, later.version))
        .await
        .expect_status(404);

    // A stale version: 409 with the case as it is.
    let res = app
        .put_json(&path, Some(&clerk), &link(&earlier.code, later.version - 1))
        .await;
    res.expect_status(409);
    assert!(res.error().current.is_some());

    // Itself: refused by name.
    let res = app
        .put_json(&path, Some(&clerk), &link(&later.code, later.version))
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "of");

    let linked: CaseDetail = {
        let res = app
            .put_json(&path, Some(&clerk), &link(&earlier.code, later.version))
            .await;
        res.expect_status(200);
        res.json()
    };
    assert_eq!(linked.repeat_of.as_ref().map(|r| r.id), Some(earlier.id));
    assert_eq!(linked.risk_flags, [RiskFlag::RepeatPetition]);
    assert_eq!(linked.version, later.version + 1);

    // The earlier case now linked to the later one would make a circle.
    let res = app
        .put_json(
            &format!("/api/cases/{}/repeat-of", earlier.id),
            Some(&lead),
            &link(&later.code, earlier.version),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "of");

    // Removed: the link and the repeat-petition mark go, the timeline says so.
    let unlinked: CaseDetail = {
        let res = app
            .put_json(
                &path,
                Some(&lead),
                &LinkRepeat {
                    of: None,
                    version: linked.version,
                },
            )
            .await;
        res.expect_status(200);
        res.json()
    };
    assert!(unlinked.repeat_of.is_none());
    assert!(unlinked.risk_flags.is_empty());
    let timeline: Vec<CaseEvent> = app
        .get(&format!("/api/cases/{}/timeline", later.id), Some(&lead))
        .await
        .json();
    let kinds: Vec<EventKind> = timeline.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::RepeatLinked) && kinds.contains(&EventKind::RepeatUnlinked));

    // Linking a petition to a closed matter marks no repeat petition.
    let closed = app
        .move_case(
            &lead,
            &app.read_case(&lead, earlier.id).await,
            Command::NotAccept {
                reason: "不属于受理范围".into(),
                route_told: shared::model::LegalRoute::Litigation,
            },
        )
        .await;
    assert_eq!(closed.stage, Stage::Closed);
    let relinked: CaseDetail = app
        .put_json(&path, Some(&clerk), &link(&earlier.code, unlinked.version))
        .await
        .json();
    assert!(relinked.repeat_of.is_some());
    assert!(relinked.risk_flags.is_empty());
}

#[tokio::test]
async fn two_links_sent_together_cannot_make_a_circle_and_a_later_case_is_no_earlier_matter() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let a = case_of(&app, &clerk, CaseKind::Petition, "王五", "13700001111").await;
    let b = case_of(&app, &clerk, CaseKind::Petition, "王五", "13700001111").await;
    // A later case is not an earlier matter of an older one.
    let res = app
        .put_json(
            &format!("/api/cases/{}/repeat-of", a.id),
            Some(&clerk),
            &LinkRepeat {
                of: Some(b.code.clone()),
                version: a.version,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "of");
    // An unknown code is refused under the field the request names.
    let res = app
        .put_json(
            &format!("/api/cases/{}/repeat-of", b.id),
            Some(&clerk),
            &LinkRepeat {
                of: Some("0000-ZZZZ".into()),
                version: b.version,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "of");
    // Removing a link that is not there writes nothing: the version stays.
    let same: CaseDetail = app
        .put_json(
            &format!("/api/cases/{}/repeat-of", b.id),
            Some(&clerk),
            &LinkRepeat {
                of: None,
                version: b.version,
            },
        )
        .await
        .json();
    assert_eq!(same.version, b.version);

    // B → A and A → B sent together (registered in the same instant, so each may be the
    // other's earlier matter): at most one holds, and the links never make a circle.
    app.execute(&format!(
        "UPDATE cases SET registered_at = {} WHERE id = {}",
        a.registered_at.timestamp_millis(),
        b.id
    ))
    .await;
    let (path_b, path_a) = (
        format!("/api/cases/{}/repeat-of", b.id),
        format!("/api/cases/{}/repeat-of", a.id),
    );
    let (b_to_a, a_to_b) = (
        LinkRepeat {
            of: Some(a.code.clone()),
            version: b.version,
        },
        LinkRepeat {
            of: Some(b.code.clone()),
            version: a.version,
        },
    );
    let (one, two) = tokio::join!(
        app.put_json(&path_b, Some(&clerk), &b_to_a),
        app.put_json(&path_a, Some(&lead), &a_to_b),
    );
    let ok = [one.status, two.status]
        .iter()
        .filter(|s| s.is_success())
        .count();
    assert!(
        ok <= 1,
        "{} {} / {} {}",
        one.status,
        one.text(),
        two.status,
        two.text()
    );
    let a_now = app.read_case(&lead, a.id).await;
    let b_now = app.read_case(&lead, b.id).await;
    assert!(
        !(a_now.repeat_of.is_some() && b_now.repeat_of.is_some()),
        "a circle: {:?} {:?}",
        a_now.repeat_of,
        b_now.repeat_of
    );
}

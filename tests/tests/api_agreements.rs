//! The mediation agreement against the real router on a fresh database: drafting from the
//! case, every missing element named, signatures carrying the hash of the text shown, a change
//! voiding every signature, a stored signature that no longer matches shown as an error, the
//! seal and taking effect, closing by agreement (written needs one in effect, oral needs one
//! recorded, labour never oral), signatures arriving together, the judicial-confirmation window
//! and the performance with their reminders, and what a reader without the right to personal
//! data sees.

use concord_tests::{TestApp, join_all};
use shared::agreement::{
    Agreement, AgreementText, CaseAgreement, NewSignature, RecordConfirmation, RecordOral,
    RecordPerformance, SaveAgreement, Signer, Stroke, Term,
};
use shared::api::NotificationList;
use shared::model::{
    AgreementForm, AgreementStatus, CaseDetail, CaseEvent, Category, ConfirmationRuling, EventKind,
    NotificationKind, Outcome, Performance, SignMethod, Stage,
};
use shared::workflow::Command;

/// A case of the sample (张三 applicant, 李四 respondent) of `category`, in handling by the
/// fixture mediator.
async fn in_handling(app: &TestApp, category: Category) -> CaseDetail {
    let mut body = app.sample_case();
    body.category = category;
    app.in_handling(&body).await
}

fn text(app: &TestApp) -> AgreementText {
    AgreementText {
        facts: "张三与李四两户因排水沟堵塞发生争执。".into(),
        disputes: "排水沟由谁疏通,损失由谁承担。".into(),
        responsibility: "李四堵塞排水沟,负主要责任。".into(),
        terms: vec![
            Term {
                text: "李四于十日内疏通排水沟。".into(),
                amount_fen: None,
            },
            Term {
                text: "李四赔偿张三菜地损失。".into(),
                amount_fen: Some(123_450),
            },
        ],
        performance_manner: "现金当面支付".into(),
        performance_place: "渠口村村委会".into(),
        performance_due: Some(app.state.config.today() + chrono::Days::new(10)),
        court: "瓜州县人民法院".into(),
        representatives: vec![],
    }
}

fn path(case: i64) -> String {
    format!("/api/cases/{case}/agreement")
}

fn drawn(signer: Signer, hash: &str) -> NewSignature {
    NewSignature {
        signer,
        method: SignMethod::Drawn,
        strokes: vec![Stroke {
            points: vec![[0.1, 0.5, 0.4], [0.3, 0.3, 0.7], [0.8, 0.6, 0.5]],
        }],
        text_hash: hash.to_owned(),
    }
}

async fn draft(app: &TestApp, cookie: &str, case: i64) -> Agreement {
    let res = app
        .put_json(
            &path(case),
            Some(cookie),
            &SaveAgreement {
                text: text(app),
                version: 0,
            },
        )
        .await;
    res.expect_status(200);
    res.json()
}

async fn sign(app: &TestApp, cookie: &str, case: i64, s: &NewSignature) -> Agreement {
    let res = app
        .post_json(&format!("{}/signatures", path(case)), Some(cookie), s)
        .await;
    res.expect_status(200);
    res.json()
}

async fn timeline(app: &TestApp, cookie: &str, case: i64) -> Vec<CaseEvent> {
    app.get(&format!("/api/cases/{case}/timeline"), Some(cookie))
        .await
        .json()
}

#[tokio::test]
async fn a_draft_starts_from_the_case_and_every_missing_element_is_named() {
    let app = TestApp::new().await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    let start: CaseAgreement = app.get(&path(case.id), Some(&lead)).await.json();
    assert!(start.agreement.is_none());
    assert!(start.may_edit && start.oral_allowed);
    let template = start.template.unwrap_or_default();
    assert_eq!(template.facts, case.facts);
    assert_eq!(template.disputes, case.request);
    assert!(template.court.ends_with("人民法院"), "{}", template.court);

    // Nothing filled in: each element is named, in the person's language.
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: AgreementText::default(),
                version: 0,
            },
        )
        .await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    for f in [
        "text.facts",
        "text.disputes",
        "text.responsibility",
        "text.terms",
        "text.performance_manner",
        "text.performance_place",
        "text.performance_due",
        "text.court",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not named in {fields:?}");
    }
    // A deadline ten years and more ahead is refused (a typing slip, never a real deadline).
    let mut far = text(&app);
    far.performance_due = chrono::NaiveDate::from_ymd_opt(9999, 12, 31);
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: far,
                version: 0,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "text.performance_due");
    let mut bad = text(&app);
    bad.terms[1].amount_fen = Some(-5);
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: bad,
                version: 0,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "text.terms[1].amount_fen");
    assert_eq!(app.count("agreements").await, 0);

    // Drafted: number, committee, the parties from the case, the amount in capitals.
    let a = draft(&app, &lead, case.id).await;
    assert_eq!(a.status, AgreementStatus::Draft);
    assert_eq!(a.form, AgreementForm::Written);
    assert!(a.number.contains("调协〔"), "{}", a.number);
    assert!(a.committee.ends_with("人民调解委员会"));
    assert_eq!(a.parties.len(), 2);
    assert_eq!(a.copies, 3);
    assert!(
        a.signed_text.contains("壹仟贰佰叁拾肆元伍角整"),
        "{}",
        a.signed_text
    );
    assert!(a.signed_text.contains("张三"));
    assert_eq!(
        a.unsigned,
        [
            Signer::Party { position: 0 },
            Signer::Party { position: 1 },
            Signer::Mediator
        ]
    );
    // A second draft of the same case is a conflict, not a second agreement.
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: text(&app),
                version: 0,
            },
        )
        .await;
    res.expect_status(409);
    assert!(
        timeline(&app, &lead, case.id)
            .await
            .iter()
            .any(|e| e.kind == EventKind::AgreementDrafted)
    );
}

#[tokio::test]
async fn a_change_after_signing_voids_every_signature_and_a_stale_hash_is_refused() {
    let app = TestApp::new().await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    let a = draft(&app, &lead, case.id).await;
    let first_hash = a.text_hash.clone();
    let a = sign(
        &app,
        &lead,
        case.id,
        &drawn(Signer::Party { position: 0 }, &first_hash),
    )
    .await;
    assert_eq!(a.status, AgreementStatus::Signing);
    assert_eq!(a.signatures.len(), 1);
    assert!(a.signatures[0].matches);
    assert_eq!(a.signatures[0].name, "张三");
    // The same signatory twice: refused.
    let res = app
        .post_json(
            &format!("{}/signatures", path(case.id)),
            Some(&lead),
            &drawn(Signer::Party { position: 0 }, &first_hash),
        )
        .await;
    res.expect_status(409);

    // A term changes: every signature is void, and the timeline says so.
    let mut changed = text(&app);
    changed.terms[1].amount_fen = Some(200_000);
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: changed.clone(),
                version: a.version,
            },
        )
        .await;
    res.expect_status(200);
    let b: Agreement = res.json();
    assert!(b.signatures.is_empty());
    assert_eq!(b.voided, 1);
    assert_eq!(b.status, AgreementStatus::Draft);
    assert_ne!(b.text_hash, first_hash);
    assert!(
        timeline(&app, &lead, case.id)
            .await
            .iter()
            .any(|e| e.kind == EventKind::AgreementVoided)
    );
    // Saving at the old version: 409, nothing changed.
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: text(&app),
                version: a.version,
            },
        )
        .await;
    res.expect_status(409);
    // A party who was shown the old text cannot sign the new one.
    let res = app
        .post_json(
            &format!("{}/signatures", path(case.id)),
            Some(&lead),
            &drawn(Signer::Party { position: 1 }, &first_hash),
        )
        .await;
    res.expect_status(409);
    assert!(res.error().message.contains("协议文本已更改"));

    // A signature whose stored hash no longer matches the text (changed behind the
    // application's back) is shown as an error, never counted.
    let b = sign(
        &app,
        &lead,
        case.id,
        &drawn(Signer::Party { position: 0 }, &b.text_hash),
    )
    .await;
    assert!(!b.has_mismatch());
    app.execute(&format!(
        "UPDATE agreements SET text = REPLACE(text, '渠口村村委会', '镇政府') WHERE case_id = {}",
        case.id
    ))
    .await;
    let tampered: CaseAgreement = app.get(&path(case.id), Some(&lead)).await.json();
    let tampered = tampered.agreement.unwrap_or_else(|| panic!("no agreement"));
    assert!(tampered.has_mismatch());
    assert!(!tampered.signatures[0].matches);
    assert!(tampered.unsigned.contains(&Signer::Party { position: 0 }));
    // The party signs the text as it now reads: the mismatched signature gives way.
    let again = sign(
        &app,
        &lead,
        case.id,
        &drawn(Signer::Party { position: 0 }, &tampered.text_hash),
    )
    .await;
    assert!(!again.has_mismatch());
    assert_eq!(again.signatures.len(), 1);
}

#[tokio::test]
async fn it_takes_effect_with_every_signature_and_the_seal_and_only_then_closes_the_case() {
    let app = TestApp::new().await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let close = Command::Close {
        outcome: Outcome::AgreementWritten,
        summary: "双方签订调解协议".into(),
        route_told: None,
    };
    // No agreement: closing by written agreement is refused at the field.
    let res = app
        .transition(&mediator, case.id, case.version, close.clone())
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "command.outcome");
    let a = draft(&app, &lead, case.id).await;
    // Only a mediator signs as the mediator; a fingerprint is for parties.
    let res = app
        .post_json(
            &format!("{}/signatures", path(case.id)),
            Some(&lead),
            &drawn(Signer::Mediator, &a.text_hash),
        )
        .await;
    res.expect_status(403);
    let res = app
        .post_json(
            &format!("{}/signatures", path(case.id)),
            Some(&lead),
            &drawn(Signer::Party { position: 7 }, &a.text_hash),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "signer.position");
    // The parties and the mediator sign at once (two tablets): each is kept exactly once.
    let hash = a.text_hash.clone();
    let answers = join_all((0..12).map(|i| {
        let app = &app;
        let (cookie, signer) = match i % 3 {
            0 => (&lead, Signer::Party { position: 0 }),
            1 => (&lead, Signer::Party { position: 1 }),
            _ => (&mediator, Signer::Mediator),
        };
        let body = if i % 3 == 1 {
            NewSignature {
                signer,
                method: SignMethod::Fingerprint,
                strokes: vec![],
                text_hash: hash.clone(),
            }
        } else {
            drawn(signer, &hash)
        };
        async move {
            app.post_json(
                &format!("{}/signatures", path(case.id)),
                Some(cookie),
                &body,
            )
            .await
        }
    }))
    .await;
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 3);
    assert_eq!(answers.iter().filter(|r| r.status == 409).count(), 9);
    let now: CaseAgreement = app.get(&path(case.id), Some(&lead)).await.json();
    let now = now.agreement.unwrap_or_else(|| panic!("no agreement"));
    assert_eq!(now.signatures.len(), 3);
    assert!(now.unsigned.is_empty());
    assert_eq!(now.status, AgreementStatus::Signing, "the seal is missing");
    let case_now = app.read_case(&lead, case.id).await;
    let res = app
        .transition(&mediator, case.id, case_now.version, close.clone())
        .await;
    res.expect_status(422);
    // The seal: in effect from today; no longer changed.
    let res = app
        .post_json(
            &format!("{}/seal", path(case.id)),
            Some(&lead),
            &serde_json::json!({}),
        )
        .await;
    res.expect_status(200);
    let sealed: Agreement = res.json();
    assert_eq!(sealed.status, AgreementStatus::InEffect);
    assert_eq!(sealed.effective_on, Some(app.state.config.today()));
    assert_eq!(
        sealed.confirmation.apply_by,
        Some(app.state.config.today() + chrono::Days::new(30))
    );
    let res = app
        .put_json(
            &path(case.id),
            Some(&lead),
            &SaveAgreement {
                text: text(&app),
                version: sealed.version,
            },
        )
        .await;
    res.expect_status(409);
    let case_now = app.read_case(&lead, case.id).await;
    let closed = app.move_case(&mediator, &case_now, close).await;
    assert_eq!(closed.stage, Stage::Closed);
    let kinds: Vec<EventKind> = timeline(&app, &lead, case.id)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        EventKind::AgreementSigned,
        EventKind::AgreementSealed,
        EventKind::AgreementInEffect,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn an_oral_agreement_closes_as_oral_but_never_a_labour_dispute() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let labour = in_handling(&app, Category::Labour).await;
    let oral = RecordOral {
        terms: vec![Term {
            text: "用人单位三日内结清工资。".into(),
            amount_fen: Some(500_000),
        }],
        agreed_on: app.state.config.today(),
    };
    let res = app
        .post_json(&format!("{}/oral", path(labour.id)), Some(&lead), &oral)
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "form");
    assert!(res.error().fields[0].message.contains("第十四条"));
    let start: CaseAgreement = app.get(&path(labour.id), Some(&lead)).await.json();
    assert!(!start.oral_allowed);
    let res = app
        .transition(
            &mediator,
            labour.id,
            labour.version,
            Command::Close {
                outcome: Outcome::AgreementOral,
                summary: "口头和解".into(),
                route_told: None,
            },
        )
        .await;
    res.expect_status(422);
    assert!(
        res.error().message.contains("书面"),
        "{}",
        res.error().message
    );

    let case = in_handling(&app, Category::Neighbour).await;
    let mut future = oral.clone();
    future.agreed_on = app.state.config.today() + chrono::Days::new(1);
    future.terms[0].text = String::new();
    let res = app
        .post_json(&format!("{}/oral", path(case.id)), Some(&lead), &future)
        .await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, ["terms[0].text", "agreed_on"]);
    let res = app
        .post_json(&format!("{}/oral", path(case.id)), Some(&lead), &oral)
        .await;
    res.expect_status(200);
    let a: Agreement = res.json();
    assert_eq!(
        (a.form, a.status),
        (AgreementForm::Oral, AgreementStatus::InEffect)
    );
    // A written closing does not pass on an oral agreement; the oral one does.
    let now = app.read_case(&lead, case.id).await;
    let res = app
        .transition(
            &mediator,
            case.id,
            now.version,
            Command::Close {
                outcome: Outcome::AgreementWritten,
                summary: "书面协议".into(),
                route_told: None,
            },
        )
        .await;
    res.expect_status(422);
    let closed = app
        .move_case(
            &mediator,
            &now,
            Command::Close {
                outcome: Outcome::AgreementOral,
                summary: "双方口头达成协议".into(),
                route_told: None,
            },
        )
        .await;
    assert_eq!(closed.outcome, Some(Outcome::AgreementOral));
    // An oral agreement is not confirmed by a court.
    let res = app
        .put_json(
            &format!("{}/confirmation", path(case.id)),
            Some(&lead),
            &RecordConfirmation {
                applied_on: app.state.config.today(),
                court: "瓜州县人民法院".into(),
                ruling: None,
                ruled_on: None,
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "agreement");
}

#[tokio::test]
async fn confirmation_and_performance_are_recorded_in_their_windows_and_reminded_once() {
    let app = TestApp::new().await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let today = app.state.config.today();
    // Performance before an agreement in effect: refused.
    let res = app
        .put_json(
            &format!("{}/performance", path(case.id)),
            Some(&lead),
            &RecordPerformance {
                state: Performance::Performed,
                note: String::new(),
            },
        )
        .await;
    res.expect_status(422);
    let case = app.agree_in_writing(case.id).await;
    app.move_case(
        &mediator,
        &case,
        Command::Close {
            outcome: Outcome::AgreementWritten,
            summary: "双方签订调解协议".into(),
            route_told: None,
        },
    )
    .await;

    // The window: 30 days from taking effect.
    let confirm = |applied_on, ruling, ruled_on| RecordConfirmation {
        applied_on,
        court: "瓜州县人民法院".into(),
        ruling,
        ruled_on,
    };
    let res = app
        .put_json(
            &format!("{}/confirmation", path(case.id)),
            Some(&mediator),
            &confirm(today - chrono::Days::new(1), None, None),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "applied_on");
    let res = app
        .put_json(
            &format!("{}/confirmation", path(case.id)),
            Some(&mediator),
            &confirm(today, Some(ConfirmationRuling::Confirmed), None),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "ruled_on");

    // Reminders, on the supervisor's clock: the window's last week, then the deadline.
    let at = |days: u64| {
        (today + chrono::Days::new(days))
            .and_hms_opt(10, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_default()
    };
    let r = backend::supervise::tick(&app.state, at(1))
        .await
        .unwrap_or_default();
    assert!(r.reminded.is_empty());
    let r = backend::supervise::tick(&app.state, at(10))
        .await
        .unwrap_or_default();
    assert_eq!(r.reminded, [(case.id, "perform")]);
    let r = backend::supervise::tick(&app.state, at(24))
        .await
        .unwrap_or_default();
    // The confirmation window's last week; the follow-up fell due the day after the deadline.
    assert_eq!(r.reminded, [(case.id, "confirm"), (case.id, "follow_up")]);
    let r = backend::supervise::tick(&app.state, at(25))
        .await
        .unwrap_or_default();
    assert!(r.reminded.is_empty(), "each reminder once");
    let notes: NotificationList = app.get("/api/notifications", Some(&mediator)).await.json();
    for kind in [
        NotificationKind::PerformanceDue,
        NotificationKind::ConfirmationDue,
        NotificationKind::FollowUpDue,
    ] {
        assert!(
            notes
                .items
                .iter()
                .any(|n| n.kind == kind && n.case_id == Some(case.id)),
            "{kind:?} not told"
        );
    }

    // Recorded after closing: applied and confirmed; partly performed needs a note.
    let res = app
        .put_json(
            &format!("{}/confirmation", path(case.id)),
            Some(&mediator),
            &confirm(today, Some(ConfirmationRuling::Confirmed), Some(today)),
        )
        .await;
    res.expect_status(200);
    let a: Agreement = res.json();
    assert_eq!(a.confirmation.ruling, Some(ConfirmationRuling::Confirmed));
    let res = app
        .put_json(
            &format!("{}/performance", path(case.id)),
            Some(&mediator),
            &RecordPerformance {
                state: Performance::Partly,
                note: String::new(),
            },
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "note");
    let res = app
        .put_json(
            &format!("{}/performance", path(case.id)),
            Some(&mediator),
            &RecordPerformance {
                state: Performance::Partly,
                note: "已付一半,余款约定下月付清。".into(),
            },
        )
        .await;
    res.expect_status(200);
    let a: Agreement = res.json();
    assert_eq!(a.performance.state, Some(Performance::Partly));
    assert_eq!(a.performance.recorded_on, Some(today));
}

#[tokio::test]
async fn a_reader_who_may_not_see_the_parties_sees_the_agreement_masked_and_may_not_change_it() {
    let app = TestApp::new().await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    let a = draft(&app, &lead, case.id).await;
    sign(
        &app,
        &lead,
        case.id,
        &drawn(Signer::Party { position: 0 }, &a.text_hash),
    )
    .await;
    let leader = app.login("leader").await;
    let res = app.get(&path(case.id), Some(&leader)).await;
    res.expect_status(200);
    let seen: CaseAgreement = res.json();
    let seen = seen.agreement.unwrap_or_else(|| panic!("no agreement"));
    assert!(!seen.may_edit);
    assert!(!seen.signed_text.contains("张三"), "{}", seen.signed_text);
    // The address and age of the case's parties are not in the text this reader gets, and no
    // hash lets a guessed name be checked.
    assert!(
        !seen.signed_text.contains("一组 3 号"),
        "{}",
        seen.signed_text
    );
    assert!(!seen.signed_text.contains("45岁"), "{}", seen.signed_text);
    assert!(seen.text_hash.is_empty());
    assert!(seen.signatures.iter().all(|s| s.text_hash.is_empty()));
    assert!(!seen.may_sign);
    assert!(!seen.text.facts.contains("李四"), "{}", seen.text.facts);
    assert_eq!(seen.parties[0].party.name, "张某");
    assert!(seen.signatures[0].strokes.is_empty());
    assert_eq!(seen.signatures[0].name, "张某");
    let res = app
        .put_json(
            &path(case.id),
            Some(&leader),
            &SaveAgreement {
                text: text(&app),
                version: seen.version,
            },
        )
        .await;
    assert!(matches!(res.status.as_u16(), 403 | 404), "{}", res.status);
    // Another town's lead does not see it at all.
    let lead_b = app.login("lead_b").await;
    app.get(&path(case.id), Some(&lead_b))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn closing_schedules_a_follow_up_and_a_dissatisfied_one_lets_the_lead_reopen() {
    use shared::agreement::{CaseFollowUps, RecordFollowUp};
    use shared::model::{FollowUpWay, Satisfaction};
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let clerk = app.login("clerk").await;
    let today = app.state.config.today();
    let case = in_handling(&app, Category::Neighbour).await;
    let path = format!("/api/cases/{}/follow-ups", case.id);
    let none: CaseFollowUps = app.get(&path, Some(&lead)).await.json();
    assert!(none.follow_ups.is_empty());
    let closed = app
        .move_case(
            &mediator,
            &case,
            Command::Close {
                outcome: Outcome::Explained,
                summary: "已向双方解释政策".into(),
                route_told: None,
            },
        )
        .await;
    let list: CaseFollowUps = app.get(&path, Some(&clerk)).await.json();
    assert_eq!(list.follow_ups.len(), 1);
    let visit = &list.follow_ups[0];
    assert_eq!(visit.due_on, today + chrono::Days::new(7));
    assert!(list.may_record && !list.may_reopen);
    let record = |done_on, satisfaction, risks: &str| RecordFollowUp {
        done_on,
        way: FollowUpWay::Phone,
        satisfaction,
        risks: risks.into(),
    };
    let at = format!("{path}/{}", visit.id);
    // A day before the closing, and a dissatisfied visit without its risks: both named.
    let res = app
        .put_json(
            &at,
            Some(&clerk),
            &record(today - chrono::Days::new(1), Satisfaction::Dissatisfied, ""),
        )
        .await;
    res.expect_status(422);
    let fields: Vec<String> = res.error().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, ["done_on", "risks"]);
    // A town leader may read but not record.
    let leader = app.login("leader").await;
    app.put_json(
        &at,
        Some(&leader),
        &record(today, Satisfaction::Satisfied, ""),
    )
    .await
    .expect_status(403);
    // The clerk records a dissatisfied visit; the lead is told and may reopen.
    let res = app
        .put_json(
            &at,
            Some(&clerk),
            &record(
                today,
                Satisfaction::Dissatisfied,
                "张三认为排水沟仍未疏通,情绪激动",
            ),
        )
        .await;
    res.expect_status(200);
    let seen_by_lead: CaseFollowUps = app.get(&path, Some(&lead)).await.json();
    assert!(seen_by_lead.may_reopen);
    assert_eq!(
        seen_by_lead.follow_ups[0].satisfaction,
        Some(Satisfaction::Dissatisfied)
    );
    // The town leader sees the risks with the party's name masked.
    let masked: CaseFollowUps = app.get(&path, Some(&leader)).await.json();
    assert!(
        !masked.follow_ups[0].risks.contains("张三"),
        "{}",
        masked.follow_ups[0].risks
    );
    let notes: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(notes.items.iter().any(
        |n| n.kind == NotificationKind::FollowUpDissatisfied && n.case_id == Some(case.id)
    ));
    // The mediator's follow-up satisfaction on the dashboard counts it: 1 followed up, 0 satisfied.
    let dash: shared::figures::Dashboard = app.get("/api/dashboard", Some(&lead)).await.json();
    let by_mediator = dash
        .breakdowns
        .iter()
        .find(|b| b.by == shared::figures::Dimension::Handler)
        .and_then(|b| {
            b.rows
                .iter()
                .find(|r| r.key == format!("mediator:{}", app.fixture.mediator))
        })
        .map(|r| r.counts)
        .unwrap_or_default();
    assert_eq!(
        (by_mediator.followed_up, by_mediator.follow_up_satisfied),
        (1, 0)
    );
    assert_eq!(by_mediator.follow_up_rate(), Some(0.0));
    let now = app.read_case(&lead, closed.id).await;
    let reopened = app
        .move_case(
            &lead,
            &now,
            Command::Reopen {
                reason: "回访不满意,重新调解".into(),
            },
        )
        .await;
    assert_eq!(reopened.stage, Stage::InHandling);
    assert!(
        timeline(&app, &lead, case.id)
            .await
            .iter()
            .any(|e| e.kind == EventKind::FollowUpRecorded)
    );
    // Not closed any more: no follow-up is recorded now.
    app.put_json(
        &at,
        Some(&clerk),
        &record(today, Satisfaction::Satisfied, ""),
    )
    .await
    .expect_status(422);
}

#[tokio::test]
async fn the_pdf_is_a4_with_the_song_face_subset_into_it_and_masked_for_other_readers() {
    let font = concord_tests::frontend_dist()
        .join("fonts")
        .join(backend::config::PDF_FONT_FILE);
    assert!(
        font.exists(),
        "{} is missing: `cargo xtask build-frontend` installs it",
        font.display()
    );
    let app = TestApp::with_config(|c| c.pdf_font = Some(font.clone())).await;
    let case = in_handling(&app, Category::Neighbour).await;
    let lead = app.login("lead").await;
    app.get(&format!("{}.pdf", path(case.id)), Some(&lead))
        .await
        .expect_status(404);
    let case = app.agree_in_writing(case.id).await;
    let res = app
        .get(&format!("{}.pdf", path(case.id)), Some(&lead))
        .await;
    res.expect_status(200);
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    let bytes = res.body.to_vec();
    // Kept for a look (`pdftoppm -png target/pdf/agreement.pdf`).
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pdf");
    std::fs::create_dir_all(&out).unwrap_or_default();
    std::fs::write(out.join("agreement.pdf"), &bytes).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("%PDF-"));
    assert!(text.contains("/MediaBox[0 0 595 842]"), "A4");
    assert!(text.contains("FontFile2"), "the font is embedded");
    let subset = text
        .match_indices("+NotoSerifSC")
        .next()
        .map(|(at, _)| &text[at.saturating_sub(6)..at]);
    assert!(
        subset.is_some_and(|tag| tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase())),
        "a subset's tag before the font's name: {subset:?}"
    );
    // The 15 MB font subset to the characters used: a small file.
    assert!(bytes.len() < 600_000, "{} bytes", bytes.len());
    // A reader who may not see the parties gets it too, masked; another town not at all.
    let leader = app.login("leader").await;
    let masked = app
        .get(&format!("{}.pdf", path(case.id)), Some(&leader))
        .await;
    masked.expect_status(200);
    assert_ne!(masked.body.to_vec(), bytes);
    let lead_b = app.login("lead_b").await;
    app.get(&format!("{}.pdf", path(case.id)), Some(&lead_b))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn forty_drafts_sent_together_make_one_agreement_and_cases_drafted_together_get_distinct_numbers()
 {
    let app = std::sync::Arc::new(TestApp::new().await);
    let lead = app.login("lead").await;
    let case = in_handling(&app, Category::Neighbour).await;
    let answers = join_all((0..40).map(|_| {
        let app = std::sync::Arc::clone(&app);
        let lead = lead.clone();
        async move {
            app.put_json(
                &path(case.id),
                Some(&lead),
                &SaveAgreement {
                    text: text(&app),
                    version: 0,
                },
            )
            .await
        }
    }))
    .await;
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 1);
    assert_eq!(answers.iter().filter(|r| r.status == 409).count(), 39);
    assert_eq!(app.count("agreements").await, 1);
    // Three other cases drafted at once: three numbers, none repeated.
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(in_handling(&app, Category::Neighbour).await.id);
    }
    let drafted = join_all(others.iter().map(|id| {
        let app = std::sync::Arc::clone(&app);
        let lead = lead.clone();
        let id = *id;
        async move {
            app.put_json(
                &path(id),
                Some(&lead),
                &SaveAgreement {
                    text: text(&app),
                    version: 0,
                },
            )
            .await
        }
    }))
    .await;
    let mut numbers: Vec<String> = drafted
        .iter()
        .map(|r| {
            r.expect_status(200);
            r.json::<Agreement>().number
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 3, "{numbers:?}");
}

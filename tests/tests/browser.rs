//! Browser tests: the built app (`frontend/dist`) served by the real server over a fresh
//! database, driven in headless Chromium as a person would — typing, clicking, dragging with a
//! mouse and with a finger, reading what is shown.
//!
//! Each test starts its own server and browser. Fields of the move dialog are scoped to it
//! (the board's filter has a `handler` select too); a finger drags a card by its handle. A failing step saves a screenshot under
//! `target/browser-screenshots/` and fails the test with the step's message.

use std::future::Future;

use concord_tests::browser::{Browser, Network, Result};
use concord_tests::{PASSWORD, TestServer};
use shared::workflow::Command;

/// Runs a browser scenario; on failure saves a screenshot named after the test.
async fn scenario<F, Fut>(name: &str, browser: Browser, steps: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = (Browser, Result)>,
{
    let (browser, result) = steps(browser).await;
    if let Err(e) = result {
        let shot = browser
            .screenshot(name)
            .await
            .map(|p| p.display().to_string())
            .unwrap_or_else(|s| format!("no screenshot: {s}"));
        let _ = browser.close().await;
        panic!("{name}: {e}\n(screenshot: {shot})");
    }
    let _ = browser.close().await;
}

/// Signs in through the login page and waits for the board.
async fn sign_in(b: &Browser, username: &str) -> Result {
    b.goto("/login").await?;
    chinese(b).await?;
    b.fill("input[name=username]", username).await?;
    b.fill("input[name=password]", PASSWORD).await?;
    b.click("[data-testid=login-submit]").await?;
    b.wait("[data-testid=board]").await?;
    Ok(())
}

/// Makes sure the interface is in Chinese (the default; a test may have switched it).
async fn chinese(b: &Browser) -> Result {
    let switch = b.wait("[data-testid=lang-switch]").await?;
    if switch.attr("data-lang").await?.as_deref() != Some("zh-CN") {
        b.click("[data-testid=lang-switch]").await?;
        b.wait("[data-testid=lang-switch][data-lang=zh-CN]").await?;
    }
    Ok(())
}

/// Signs out with the header's button and waits for the login page.
async fn sign_out(b: &Browser) -> Result {
    b.click("[data-testid=logout]").await?;
    b.wait("[data-testid=login-form]").await?;
    Ok(())
}

/// Fills the agreement form's own elements (the facts and disputes come from the case): the
/// responsibility, one term of 800 yuan (read back in capitals), the manner and place; a
/// missing deadline is named at its field, then given (ten days on).
async fn fill_agreement(b: &Browser) -> Result {
    b.fill(
        "[data-testid=agreement-form] textarea[name='text.disputes']",
        "漏水损失由谁承担、如何维修。",
    )
    .await?;
    b.fill(
        "[data-testid=agreement-form] textarea[name='text.responsibility']",
        "楼上住户水管漏水,负全部责任。",
    )
    .await?;
    b.fill(
        "[data-testid=term-text]",
        "楼上住户三日内维修漏水管道并赔偿损失。",
    )
    .await?;
    b.fill("[data-testid=term-amount]", "800").await?;
    b.wait_text("[data-testid=term-capitals]", "捌佰元整")
        .await?;
    b.fill("input[name='text.performance_manner']", "现金当面支付")
        .await?;
    b.fill("input[name='text.performance_place']", "综治中心调解室")
        .await?;
    // A missing deadline is named at its field.
    b.click("[data-testid=agreement-save]").await?;
    b.wait("[data-testid='error-text.performance_due']").await?;
    let due = ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
        + chrono::Days::new(10))
    .to_string();
    let _: bool = b
        .eval(&format!(
            "const i = document.querySelector(\"input[name='text.performance_due']\"); \
             i.value = '{due}'; i.dispatchEvent(new Event('input', {{bubbles: true}})); \
             return true;"
        ))
        .await?;
    Ok(())
}

fn card_in(column: &str, code: &str) -> String {
    format!("[data-testid=column-{column}] [data-testid=\"card-{code}\"]")
}

/// The clerk registers a matter; the lead drags it to Routed and picks a mediator; the mediator
/// accepts it from the card's menu, adds a note and closes it with a result; the lead archives
/// it; the public status page shows it closed; the language switch changes the texts.
#[tokio::test(flavor = "multi_thread")]
async fn a_matter_goes_round_the_closed_loop_in_the_browser() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("closed_loop", browser, |b| async move {
        let result = async {
            // A fresh browser that prefers English still opens in Chinese.
            b.goto("/login").await?;
            b.wait("[data-testid=lang-switch][data-lang=zh-CN]").await?;
            b.wait_text("[data-testid=login-submit]", "登录").await?;
            b.expect_accessible("the sign-in page").await?;

            // The clerk registers a matter at the window.
            sign_in(&b, "clerk").await?;
            b.goto("/cases/new").await?;
            b.wait("[data-testid=intake-form]").await?;
            b.expect_accessible("the intake form").await?;
            // Sent empty: each refused field says why, beside it, and axe-core finds the
            // errors tied to their fields.
            b.click("[data-testid=submit-case]").await?;
            b.wait("[data-testid=error-summary]").await?;
            b.expect_accessible("the intake form with its field errors")
                .await?;
            b.choose("select[name=kind]", "dispute").await?;
            b.choose("select[name=category]", "neighbour").await?;
            b.choose("select[name=channel]", "window").await?;
            b.choose("select[name=village_id]", &fx.villages[0].to_string())
                .await?;
            b.fill("input[name=\"parties[0].name\"]", "王小明").await?;
            b.fill("input[name=\"parties[0].phone\"]", "13812345678")
                .await?;
            b.click("[data-testid=add-respondent]").await?;
            b.fill("input[name=\"parties[1].name\"]", "李大山").await?;
            b.fill("input[name=summary]", "楼上漏水损坏天花板,双方协商未果")
                .await?;
            b.fill("textarea[name=facts]", "申请人称楼上住户卫生间漏水三个月。")
                .await?;
            b.click("[data-testid=submit-case]").await?;
            let code = b
                .text("[data-testid=receipt-code]")
                .await?
                .trim()
                .to_owned();
            if code.len() != 11 {
                return Err(format!("the receipt shows `{code}`, not a case code").into());
            }
            // The receipt names the town's center, its address and phone, the expected date,
            // and carries the QR code of the look-up.
            b.wait_text("[data-testid=receipt-center]", "瓜州镇综治中心").await?;
            b.wait_text("[data-testid=receipt-contact]", "0937-5512345").await?;
            b.wait("[data-testid=receipt-due]").await?;
            b.wait_text("[data-testid=receipt-url]", &format!("/status?code={code}")).await?;
            let qr_loaded: bool = b
                .eval("const i = document.querySelector('[data-testid=receipt-qr]'); return !!i && i.complete && i.naturalWidth > 0;")
                .await?;
            if !qr_loaded {
                return Err("the receipt's QR code did not load".into());
            }
            b.expect_accessible("the receipt").await?;
            b.screenshot("receipt-1280").await?;
            sign_out(&b).await?;

            // The lead drags the card from Registered to Routed and picks the mediator.
            sign_in(&b, "lead").await?;
            b.wait(&card_in("registered", &code)).await?;
            b.drag_mouse(&card_in("registered", &code), "[data-testid=column-routed]")
                .await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.expect_accessible("the routing dialog on the lead's board")
                .await?;
            b.choose(
                "[data-testid=move-dialog] select[name=handler]",
                &format!("mediator:{}", fx.mediator),
            )
            .await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait_gone("[data-testid=move-dialog]").await?;
            b.wait(&card_in("routed", &code)).await?;
            sign_out(&b).await?;

            // The mediator accepts it with the card's "move to…" menu.
            sign_in(&b, "mediator").await?;
            let card = card_in("routed", &code);
            b.click(&format!("{card} [data-testid=move-menu]")).await?;
            b.click("[data-testid=move-accept]").await?;
            b.wait(&card_in("in_handling", &code)).await?;

            // On the case page: a note, then the result.
            b.click(&format!(
                "{} [data-testid=card-link]",
                card_in("in_handling", &code)
            ))
            .await?;
            b.wait("[data-testid=case-page]").await?;
            b.fill(
                "[data-testid=note-form] textarea[name=text]",
                "第一次调解:双方同意现场查看。",
            )
            .await?;
            b.click("[data-testid=add-note]").await?;
            b.wait_text("[data-testid=timeline]", "第一次调解").await?;

            // Closing by written agreement is refused until one is in effect.
            b.click("[data-testid=action-close]").await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.choose(
                "[data-testid=move-dialog] select[name=outcome]",
                "agreement_written",
            )
            .await?;
            b.fill(
                "[data-testid=move-dialog] textarea[name=summary]",
                "楼上住户负责维修并赔偿 800 元。",
            )
            .await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait_text("[data-testid=move-dialog]", "已生效的调解协议书").await?;
            b.click("[data-testid=move-dialog] [data-testid=cancel-move]").await?;
            b.wait_gone("[data-testid=move-dialog]").await?;

            // The agreement: drafted from the case, the amount read in capitals as typed.
            b.click("[data-testid=agreement-draft]").await?;
            b.wait("[data-testid=agreement-form]").await?;
            b.expect_accessible("the agreement editor").await?;
            let form = "document.querySelector('[data-testid=agreement-form]').scrollIntoView(); return true;";
            b.resize(1024, 768).await?;
            let _: bool = b.eval(form).await?;
            b.screenshot("agreement-editor-1024").await?;
            b.resize(768, 1024).await?;
            let _: bool = b.eval(form).await?;
            b.screenshot("agreement-editor-768").await?;
            b.resize(1280, 800).await?;
            fill_agreement(&b).await?;
            b.click("[data-testid=agreement-save]").await?;
            b.wait("[data-testid=agreement-status][data-status=draft]").await?;
            b.wait_text("[data-testid=agreement-text]", "捌佰元整").await?;
            // Each party and the mediator sign on the pad, drawn with the pointer.
            for signer in ["sign-party-0", "sign-party-1", "sign-mediator"] {
                b.click(&format!("[data-testid={signer}]")).await?;
                b.wait("[data-testid=signature-pad]").await?;
                if signer == "sign-party-0" {
                    b.expect_accessible("the signature pad").await?;
                }
                b.drag_mouse(
                    "[data-testid=signature-pad]",
                    "[data-testid=signature-clear]",
                )
                .await?;
                b.click("[data-testid=signature-save]").await?;
                b.wait_gone("[data-testid=sign-box]").await?;
            }
            let drawn = b.count("[data-testid=signature] svg path").await?;
            if drawn < 3 {
                return Err(format!("{drawn} drawn signatures shown").into());
            }
            b.expect_accessible("the agreement being signed").await?;
            b.screenshot("agreement-signed").await?;
            b.click("[data-testid=agreement-seal]").await?;
            b.wait("[data-testid=agreement-status][data-status=in_effect]")
                .await?;
            b.wait("[data-testid=confirmation-window]").await?;

            // The paper: a copy per party and one for the committee, every element of the
            // agreement in each, the signatures in place; and the PDF for the case file.
            b.click("[data-testid=agreement-print]").await?;
            b.wait("[data-testid=agreement-print] [data-testid=doc-copy]").await?;
            let copies = b.count("[data-testid=doc-copy]").await?;
            if copies != 3 {
                return Err(format!("{copies} copies to print, not 3").into());
            }
            let copy = "[data-testid=doc-copy][data-copy='3']";
            for needle in [
                "人民调解协议书",
                "调协〔",
                "瓜州镇人民调解委员会",
                "申请人",
                "被申请人",
                "纠纷主要事实",
                "争议事项",
                "各方当事人的责任",
                "楼上住户三日内维修漏水管道",
                "人民币 800.00 元",
                "大写",
                "捌佰元整",
                "履行方式",
                "现金当面支付",
                "履行地点",
                "综治中心调解室",
                "履行期限",
                "三十日内共同向",
                "一式3份",
                "人民调解员",
                "印章",
                "已盖章",
                "生效日期",
                "人民调解委员会存档",
            ] {
                b.wait_text(copy, needle).await?;
            }
            let signed = b.count(&format!("{copy} [data-testid=doc-sign] svg path")).await?;
            if signed < 3 {
                return Err(format!("{signed} signature strokes on the committee's copy").into());
            }
            b.expect_accessible("the agreement's print view").await?;
            b.resize(1024, 768).await?;
            b.screenshot("agreement-print-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("agreement-print-768").await?;
            b.resize(1280, 800).await?;
            b.emulate_print(true).await?;
            b.screenshot("agreement-print").await?;
            b.emulate_print(false).await?;
            let pdf: serde_json::Value = b
                .eval_async(&format!(
                    "const done = arguments[arguments.length - 1]; \
                     fetch('/api/cases/{}/agreement.pdf').then(async r => {{ \
                       const bytes = new Uint8Array(await r.arrayBuffer()); \
                       const text = new TextDecoder('latin1').decode(bytes); \
                       done({{status: r.status, type: r.headers.get('content-type'), size: bytes.length, \
                             head: text.slice(0, 5), font: /FontFile2/.test(text), \
                             subset: /[A-Z]{{6}}\\+NotoSerifSC/.test(text)}}); \
                     }}).catch(e => done({{error: String(e)}}));",
                    b.eval::<String>("return location.pathname.split('/')[2];").await?
                ))
                .await?;
            if pdf["status"] != 200
                || pdf["head"] != "%PDF-"
                || pdf["type"] != "application/pdf"
                || pdf["font"] != true
                || pdf["subset"] != true
            {
                return Err(format!("the agreement's PDF: {pdf}").into());
            }
            // A subset of the 15 MB font: the file stays small.
            if pdf["size"].as_u64().unwrap_or(u64::MAX) > 600_000 {
                return Err(format!("the agreement's PDF is {} bytes", pdf["size"]).into());
            }
            b.click("[data-testid=agreement-print] .back-link").await?;
            b.wait("[data-testid=case-page]").await?;

            b.click("[data-testid=action-close]").await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.choose(
                "[data-testid=move-dialog] select[name=outcome]",
                "agreement_written",
            )
            .await?;
            b.fill(
                "[data-testid=move-dialog] textarea[name=summary]",
                "楼上住户负责维修并赔偿 800 元。",
            )
            .await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait("[data-testid=case-head][data-stage=closed]").await?;

            // The follow-up visit the closing scheduled: recorded by the handler.
            b.wait("[data-testid=follow-up-form]").await?;
            b.choose("[data-testid=follow-up-form] select[name=way]", "phone")
                .await?;
            b.choose(
                "[data-testid=follow-up-form] select[name=satisfaction]",
                "satisfied",
            )
            .await?;
            b.click("[data-testid=follow-up-save]").await?;
            b.wait("[data-testid=follow-up][data-done=true]").await?;
            // The form now holds the record, to be corrected.
            b.wait_text("[data-testid=follow-up-save]", "更正").await?;
            b.expect_accessible("the follow-up visit").await?;
            let panel = "document.querySelector('[data-testid=follow-ups]').scrollIntoView(); return true;";
            b.resize(1024, 768).await?;
            let _: bool = b.eval(panel).await?;
            b.screenshot("follow-up-1024").await?;
            b.resize(768, 1024).await?;
            let _: bool = b.eval(panel).await?;
            b.screenshot("follow-up-768").await?;
            b.resize(1280, 800).await?;
            sign_out(&b).await?;

            // The lead archives it.
            sign_in(&b, "lead").await?;
            b.wait(&card_in("closed", &code)).await?;
            b.click(&format!(
                "{} [data-testid=card-link]",
                card_in("closed", &code)
            ))
            .await?;
            b.click("[data-testid=action-archive]").await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait("[data-testid=case-head][data-stage=archived]")
                .await?;
            b.wait("[data-testid=archive-no]").await?;
            sign_out(&b).await?;

            // The resident looks it up: closed. Then switches the language.
            b.goto("/status").await?;
            b.fill("input[name=code]", &code.to_lowercase()).await?;
            b.fill("input[name=phone_last4]", "5678").await?;
            b.click("[data-testid=lookup]").await?;
            b.wait_text("[data-testid=status-progress]", "已办结")
                .await?;
            b.expect_accessible("the public status page").await?;
            // The outcome and every step, the archived one finished.
            b.wait_text("[data-testid=status-outcome]", "达成").await?;
            b.wait("[data-step=archived][data-state=done]").await?;
            // English keeps the code; the digits are asked again.
            b.click("[data-testid=lang-switch]").await?;
            b.wait_text("[data-testid=lookup]", "Look").await?;
            b.fill("input[name=phone_last4]", "5678").await?;
            b.click("[data-testid=lookup]").await?;
            b.wait_text("[data-testid=status-progress]", "Closed")
                .await?;
            b.expect_accessible("the public status page in English")
                .await?;

            // Wrong digits: the same not-found answer as a wrong code.
            // Each look-up is a new page (a form post): the old page is marked, so that what
            // is read is the answer's page, never the one being left.
            let mark = "document.body.dataset.left = 'yes'; return null;";
            let answer = "body:not([data-left]) [data-testid=status-not-found]";
            b.fill("input[name=phone_last4]", "0000").await?;
            let _: serde_json::Value = b.eval(mark).await?;
            b.click("[data-testid=lookup]").await?;
            b.wait(answer).await?;
            let wrong_digits = b.text(answer).await?;
            b.fill("input[name=code]", "2611-ZZZZZZ").await?;
            b.fill("input[name=phone_last4]", "5678").await?;
            let _: serde_json::Value = b.eval(mark).await?;
            b.click("[data-testid=lookup]").await?;
            b.wait(answer).await?;
            let wrong_code = b.text(answer).await?;
            if wrong_digits != wrong_code {
                return Err(format!(
                    "wrong digits said “{wrong_digits}”, a wrong code “{wrong_code}”"
                )
                .into());
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// On a tablet (768×1024, touch), the lead drags a card with a finger from Registered to
/// Routed and picks a department.
#[tokio::test(flavor = "multi_thread")]
async fn a_lead_routes_a_card_by_touch_on_a_tablet() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead = app.login("lead").await;
    let case = app.register(&lead, &app.sample_case()).await;
    let browser = match Browser::start(&server.base_url, 768, 1024, true).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    let code = case.code.clone();
    scenario("tablet_touch_drag", browser, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            let card = card_in("registered", &code);
            b.wait(&card).await?;
            b.expect_accessible("the lead's board on a tablet").await?;
            b.drag_touch(
                &format!("{card} [data-testid=drag-handle]"),
                "[data-testid=column-routed]",
            )
            .await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.choose(
                "[data-testid=move-dialog] select[name=handler]",
                &format!("department:{}", fx.police_station),
            )
            .await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait(&card_in("routed", &code)).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// Someone else routes the case while the lead's board is open: the lead's move is refused
/// with an explanation, and the card goes back to where the case really is.
#[tokio::test(flavor = "multi_thread")]
async fn a_stale_move_is_explained_and_the_card_goes_back() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead = app.login("lead").await;
    let case = app.register(&lead, &app.sample_case()).await;
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    let code = case.code.clone();
    scenario("stale_move", browser, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            let card = card_in("registered", &code);
            b.wait(&card).await?;
            // The lead starts refusing it as not accepted …
            b.click(&format!("{card} [data-testid=move-menu]")).await?;
            b.click("[data-testid=move-not_accept]").await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.fill(
                "[data-testid=move-dialog] textarea[name=reason]",
                "不属于本中心受理范围",
            )
            .await?;
            b.choose(
                "[data-testid=move-dialog] select[name=route_told]",
                "litigation",
            )
            .await?;
            // … while, through the API, someone routes it to the police station (the live
            // board moves the card under the open dialog).
            let route = Command::Route {
                handler: shared::model::HandlerRef::Department(fx.police_station),
                cooperating: vec![],
                note: String::new(),
            };
            app.move_case(&lead, &case, route).await;
            b.wait(&card_in("routed", &code)).await?;
            b.click("[data-testid=confirm-move]").await?;
            // Explained, and the card shows where the case is now.
            b.wait("[data-testid=notice], [data-testid=dialog-error]")
                .await?;
            b.wait(&card_in("routed", &code)).await?;
            let stored = app.read_case(&lead, case.id).await;
            if stored.stage != shared::model::Stage::Routed {
                return Err(
                    format!("the stale move changed the case to {:?}", stored.stage).into(),
                );
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// Starts a browser of 1280×800 or fails the test.
async fn desktop(server: &TestServer) -> Browser {
    match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    }
}

/// Two people at two browsers: the mediator accepts a case from the card's menu; the lead's
/// board, open meanwhile, shows the card in its new column within a second, without a reload.
#[tokio::test(flavor = "multi_thread")]
async fn a_move_in_one_browser_reaches_another_within_a_second() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead_api = app.login("lead").await;
    let case = app.register(&lead_api, &app.sample_case()).await;
    let route = Command::Route {
        handler: shared::model::HandlerRef::Mediator(fx.mediator),
        cooperating: vec![],
        note: String::new(),
    };
    app.move_case(&lead_api, &case, route).await;
    let code = case.code.clone();
    let watcher = desktop(&server).await;
    let mover = desktop(&server).await;
    scenario("live_two_browsers", watcher, |lead| async move {
        let result = async {
            sign_in(&lead, "lead").await?;
            lead.wait(&card_in("routed", &code)).await?;
            lead.wait("[data-testid=live-state][data-live=true]")
                .await?;
            sign_in(&mover, "mediator").await?;
            let card = card_in("routed", &code);
            mover
                .click(&format!("{card} [data-testid=move-menu]"))
                .await?;
            mover.click("[data-testid=move-accept]").await?;
            mover.wait(&card_in("in_handling", &code)).await?;
            // Counted from the moment the mover's board showed the answer.
            let took = lead
                .wait_within(
                    &card_in("in_handling", &code),
                    std::time::Duration::from_secs(1),
                )
                .await?;
            eprintln!("the move reached the other board {took:?} after the mover saw it");
            let _ = mover.close().await;
            Ok(())
        }
        .await;
        (lead, result)
    })
    .await;
}

/// A department liaison accepts one routing and declines another; the lead's board follows
/// each, and the declined case is back in Registered with the department and the reason.
#[tokio::test(flavor = "multi_thread")]
async fn a_liaison_accepts_and_declines_and_the_leads_board_follows() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead_api = app.login("lead").await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let case = app.register(&lead_api, &app.sample_case()).await;
        let route = Command::Route {
            handler: shared::model::HandlerRef::Department(fx.police_station),
            cooperating: vec![],
            note: String::new(),
        };
        app.move_case(&lead_api, &case, route).await;
        codes.push(case.code);
    }
    let (accepted, declined) = (codes[0].clone(), codes[1].clone());
    let watcher = desktop(&server).await;
    let liaison = desktop(&server).await;
    scenario("liaison_live", watcher, |lead| async move {
        let result = async {
            sign_in(&lead, "lead").await?;
            lead.wait(&card_in("routed", &accepted)).await?;
            lead.wait(&format!(
                "{} [data-testid=card-awaiting]",
                card_in("routed", &declined)
            ))
            .await?;
            lead.wait("[data-testid=live-state][data-live=true]")
                .await?;
            sign_in(&liaison, "police").await?;
            // The liaison's inbox says what came in.
            liaison.wait("[data-testid=notify-count]").await?;
            liaison.click("[data-testid=notify-bell]").await?;
            liaison
                .wait("[data-testid=notify-panel] [data-testid=notify-item]")
                .await?;
            liaison
                .expect_accessible("the notification list opened in the header")
                .await?;
            liaison.click("[data-testid=notify-bell]").await?;
            let card = card_in("routed", &accepted);
            liaison
                .click(&format!("{card} [data-testid=move-menu]"))
                .await?;
            liaison.click("[data-testid=move-accept]").await?;
            lead.wait_within(
                &card_in("in_handling", &accepted),
                std::time::Duration::from_secs(2),
            )
            .await?;
            let card = card_in("routed", &declined);
            liaison
                .click(&format!("{card} [data-testid=move-menu]"))
                .await?;
            liaison.click("[data-testid=move-decline]").await?;
            liaison.wait("[data-testid=move-dialog]").await?;
            liaison
                .fill(
                    "[data-testid=move-dialog] textarea[name=reason]",
                    "不属本所职责",
                )
                .await?;
            liaison.click("[data-testid=confirm-move]").await?;
            // Gone from the liaison's board (no longer theirs) …
            liaison
                .wait_gone(&format!("[data-testid=\"card-{declined}\"]"))
                .await?;
            // … and back with the lead, saying who declined and why.
            let back = format!(
                "{} [data-testid=card-returned]",
                card_in("registered", &declined)
            );
            lead.wait_within(&back, std::time::Duration::from_secs(2))
                .await?;
            lead.wait_text(&back, "不属本所职责").await?;
            lead.wait_text(&back, "派出所").await?;
            let _ = liaison.close().await;
            Ok(())
        }
        .await;
        (lead, result)
    })
    .await;
}

/// The mediator suspends a case from the case page (a missing reason is named first), the
/// lead's board marks the card, the mediator resumes it and asks for an extension with the
/// parties' consent, and the lead approves it; a message goes to the thread. A risky matter
/// shows on the police station's risk-report page until its liaison acknowledges it.
#[tokio::test(flavor = "multi_thread")]
async fn a_case_is_suspended_resumed_and_extended_from_the_case_page() {
    let server = TestServer::start().await;
    let fx = server.app().fixture.clone();
    let app = server.app();
    let lead_api = app.login("lead").await;
    let mediator_api = app.login("mediator").await;
    let case = app.register(&lead_api, &app.sample_case()).await;
    let route = Command::Route {
        handler: shared::model::HandlerRef::Mediator(fx.mediator),
        cooperating: vec![],
        note: String::new(),
    };
    let routed = app.move_case(&lead_api, &case, route).await;
    app.move_case(&mediator_api, &routed, Command::Accept).await;
    let mut risky = app.sample_case();
    risky.risk_flags = vec![shared::model::RiskFlag::GroupIncident];
    let risky = app.register(&lead_api, &risky).await;
    let (id, code) = (case.id, case.code.clone());
    let b = desktop(&server).await;
    scenario("clock_panel", b, |b| async move {
        let result = async {
            sign_in(&b, "mediator").await?;
            // A handler's board opens on their own cases.
            b.wait("[data-testid=filter-mine]:checked").await?;
            b.wait("[data-testid=view-mine][aria-pressed=true]").await?;
            b.goto(&format!("/cases/{id}")).await?;
            b.wait("[data-testid=suspend-form]").await?;
            b.click("[data-testid=suspend]").await?;
            b.wait_text("#err-suspend-reason", "必填").await?;
            b.expect_accessible("the case page with a refused suspension")
                .await?;
            b.choose("#suspend-kind", "appraisal").await?;
            b.fill("#suspend-reason", "等待伤情鉴定").await?;
            b.click("[data-testid=suspend]").await?;
            b.wait("[data-testid=suspension][data-open=true]").await?;
            b.wait("[data-testid=case-suspended]").await?;
            b.wait("[data-testid=resume-form]").await?;
            b.click("[data-testid=resume]").await?;
            b.wait("[data-testid=suspension][data-open=false]").await?;
            b.fill("#ext-days", "10").await?;
            b.fill("#ext-reason", "双方需时间协商").await?;
            b.click("[data-testid=ask-extension]").await?;
            b.wait_text("#err-ext-consent", "同意").await?;
            b.click("[data-testid=ext-consent]").await?;
            b.click("[data-testid=ask-extension]").await?;
            b.wait("[data-testid=extension][data-status=pending]")
                .await?;
            b.fill("#message-text", "鉴定结果已出,请中心协调").await?;
            b.click("[data-testid=send-message]").await?;
            b.wait_text("[data-testid=message]", "鉴定结果已出").await?;
            sign_out(&b).await?;
            sign_in(&b, "lead").await?;
            b.wait(&format!(
                "{} [data-testid=card-extension]",
                card_in("in_handling", &code)
            ))
            .await?;
            b.wait(&format!(
                "{} [data-testid=card-police]",
                card_in("registered", &risky.code)
            ))
            .await?;
            b.goto(&format!("/cases/{id}")).await?;
            b.wait("[data-testid=decide-extension]").await?;
            b.click("[data-testid=approve-extension]").await?;
            b.wait("[data-testid=extension][data-status=approved]")
                .await?;
            b.wait_text("[data-testid=due-explained]", "延长 10")
                .await?;
            b.expect_accessible("the lead's case page after an extension")
                .await?;
            sign_out(&b).await?;
            sign_in(&b, "police").await?;
            b.goto("/police").await?;
            let item = format!("[data-testid=police-item][data-code=\"{}\"]", risky.code);
            b.wait(&format!("{item}[data-pending=true]")).await?;
            b.expect_accessible("the police station's risk reports")
                .await?;
            let text = b.text(&item).await?;
            if text.contains("张三") {
                return Err(format!("the report shows a party's name: {text}").into());
            }
            b.click(&format!("{item} [data-testid=police-acknowledge]"))
                .await?;
            b.wait(&format!("{item}[data-pending=false]")).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// A mediator signs in to an inbox, not the whole town: the board opens on "my cases", the
/// case just routed to them is marked new; accepting it from the menu sends it to the end of
/// a long column, which scrolls to it; they save their filter as a named view, which outlives
/// a reload; opening the case clears the mark. axe-core checks the board and the case page.
#[tokio::test(flavor = "multi_thread")]
async fn a_mediator_opens_on_their_cases_marks_the_new_one_and_keeps_a_view() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let route = || Command::Route {
        handler: shared::model::HandlerRef::Mediator(fx.mediator),
        cooperating: vec![shared::model::HandlerRef::Department(fx.judicial_office)],
        note: String::new(),
    };
    // Eight cases the mediator has already opened and accepted: a long "in handling" column,
    // all due before the one to come (the column sorts by due date, then by the random code).
    let mut long = Vec::new();
    for _ in 0..8 {
        let case = app.register(&lead, &app.sample_case()).await;
        long.push(case.id.to_string());
        let routed = app.move_case(&lead, &case, route()).await;
        app.move_case(&mediator, &routed, Command::Accept).await;
        app.post_json(
            &format!("/api/cases/{}/seen", case.id),
            Some(&mediator),
            &serde_json::json!({}),
        )
        .await
        .expect_status(204);
    }
    let soon = app.state.config.today() + chrono::Duration::days(10);
    app.execute(&format!(
        "UPDATE cases SET due_on = '{soon}' WHERE id IN ({})",
        long.join(", ")
    ))
    .await;
    // Someone else's case, and the one just routed to the mediator.
    app.register(&lead, &app.sample_case()).await;
    let case = app.register(&lead, &app.sample_case()).await;
    app.move_case(&lead, &case, route()).await;
    let (code, case_id) = (case.code.clone(), case.id);
    let browser = desktop(&server).await;
    scenario("inbox_and_views", browser, |b| async move {
        let result = async {
            sign_in(&b, "mediator").await?;
            b.wait("[data-testid=view-mine][aria-pressed=true]").await?;
            let card = card_in("routed", &code);
            b.wait(&format!("{card} [data-testid=card-new]")).await?;
            if b.count("[data-testid=card-new]").await? != 1 {
                return Err("only the case just routed is new".into());
            }
            b.wait_text(&format!("{card} [data-testid=card-handler]"), "联合 司法所")
                .await?;
            b.expect_accessible("the mediator's board").await?;
            // Accepted from the menu: the card goes last in "in handling", out of sight, and
            // the column scrolls to it.
            b.click(&format!("{card} [data-testid=move-menu]")).await?;
            b.click("[data-testid=move-accept]").await?;
            b.wait(&card_in("in_handling", &code)).await?;
            let scrolled = b
                .client
                .execute(
                    "return document.querySelector('[data-testid=column-in_handling] .column-body').scrollTop;",
                    vec![],
                )
                .await?;
            if scrolled.as_f64().unwrap_or(0.0) <= 0.0 {
                return Err(format!("the column did not scroll to the card ({scrolled})").into());
            }
            // A named view of their own: my cases, disputes only.
            b.choose("[data-testid=filter-kind]", "dispute").await?;
            b.click("[data-testid=save-view]").await?;
            b.fill("[data-testid=view-name]", "我的纠纷").await?;
            b.click("[data-testid=view-save]").await?;
            let saved = "[data-testid=saved-view][data-name=我的纠纷]";
            b.wait(&format!("{saved} .view-chip[aria-pressed=true]")).await?;
            b.expect_accessible("the board with a saved view").await?;
            b.click("[data-testid=view-all]").await?;
            b.wait("[data-testid=view-all][aria-pressed=true]").await?;
            b.wait(&format!("{saved} .view-chip[aria-pressed=false]")).await?;
            // It outlives a reload, and choosing it filters the board again.
            b.goto("/board").await?;
            b.click(&format!("{saved} .view-chip")).await?;
            b.wait(&format!("{saved} .view-chip[aria-pressed=true]")).await?;
            // Opening the case clears its mark (the board searched for it: the column is
            // virtualised, and the card is far down it).
            let found = format!("/board?q={code}");
            b.goto(&found).await?;
            let card = card_in("in_handling", &code);
            b.wait(&format!("{card} [data-testid=card-new]")).await?;
            b.click(&format!("{card} [data-testid=card-link]")).await?;
            b.wait("[data-testid=case-page]").await?;
            b.expect_accessible("the case page").await?;
            // The page tells the server on opening; wait for that before leaving it (a full
            // navigation would cancel the request in flight).
            let asked = std::time::Instant::now();
            loop {
                let new: shared::api::NewCases =
                    app.get("/api/board/new", Some(&mediator)).await.json();
                if !new.cases.contains(&case_id) {
                    break;
                }
                if asked.elapsed() > std::time::Duration::from_secs(10) {
                    return Err("opening the case never marked it seen".into());
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            b.goto(&found).await?;
            b.wait(&card).await?;
            // The marks load beside the board: give them their moment.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if b.count("[data-testid=card-new]").await? != 0 {
                return Err("the opened case is still marked new".into());
            }
            b.goto("/board").await?;
            b.click(&format!("{saved} [data-testid=delete-view]")).await?;
            b.wait_gone(saved).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// A resident on a phone (360×640): an empty submit asks for both fields; the look-up shows
/// every stage of a closed matter in one column, nothing cut off, with its result; axe finds
/// nothing on the form, the errors or the answer.
#[tokio::test]
async fn a_resident_looks_a_closed_matter_up_on_a_phone() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    app.close_case(&case, shared::model::Outcome::AgreementOral, "双方当场和解")
        .await;
    let browser = Browser::start(&server.base_url, 360, 640, true)
        .await
        .unwrap_or_else(|e| panic!("browser: {e}"));
    let code = case.code.clone();
    scenario("a_resident_looks_a_closed_matter_up_on_a_phone", browser, |b| async move {
        let result = async {
            b.goto(&format!("/status?code={code}")).await?;
            b.click("[data-testid=lookup]").await?;
            // The code came from the link; only the digits are missing.
            b.wait_text("[data-testid=error-phone_last4]", "必填").await?;
            if b.count("[data-testid=error-code]").await? != 0 {
                return Err("the filled-in code was refused".into());
            }
            b.wait("#status-last4[aria-invalid=true]").await?;
            b.expect_accessible("the status page with a field error").await?;
            b.fill("input[name=phone_last4]", "5678").await?;
            b.click("[data-testid=lookup]").await?;
            b.wait_text("[data-testid=status-outcome]", "口头协议").await?;
            b.wait("[data-step=closed][data-state=current]").await?;
            // Every step lies inside the phone's width.
            let overflow: bool = b
                .eval("return [...document.querySelectorAll('[data-step]')].some(e => { const r = e.getBoundingClientRect(); return r.right > window.innerWidth || r.left < 0; }) || document.documentElement.scrollWidth > window.innerWidth;")
                .await?;
            if overflow {
                return Err("a step is cut off at 360 px".into());
            }
            b.expect_accessible("the status page's answer on a phone").await?;
            b.screenshot("status-phone-360").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// A resident brings a matter from a phone, the lead sees it on the board, the resident looks
/// it up through the receipt's link (the QR code's address), and rates the result once it is
/// closed; axe-core checks every page on the way.
#[tokio::test]
async fn a_resident_brings_a_matter_online_and_rates_it_once_closed() {
    let server = TestServer::start().await;
    let app = server.app();
    let village = app.fixture.villages[0].to_string();
    let phone = Browser::start(&server.base_url, 360, 640, true)
        .await
        .unwrap_or_else(|e| panic!("browser: {e}"));
    scenario("an_online_request_from_a_phone", phone, |b| async move {
        let result = async {
            b.goto("/request").await?;
            b.expect_accessible("the online request form").await?;
            b.screenshot("request-phone-360").await?;
            // Sent without the consent: named, and nothing typed is lost.
            b.click("[data-testid=kind-dispute]").await?;
            b.choose("select[name=category]", "labour").await?;
            b.fill(
                "[data-testid=facts]",
                "包工头拖欠我们三个月工资,多次讨要未果。",
            )
            .await?;
            b.choose("select[name=village_id]", &village).await?;
            b.fill("[data-testid=name]", "李四").await?;
            b.fill("[data-testid=phone]", "137 1234 5678").await?;
            b.click("[data-testid=send-request]").await?;
            b.wait_text("[data-testid=error-consent]", "勾选同意")
                .await?;
            b.wait("#req-consent[aria-invalid=true]").await?;
            let kept: String = b
                .eval("return document.querySelector('[data-testid=facts]').value;")
                .await?;
            if !kept.starts_with("包工头") {
                return Err(format!("the facts typed were lost: {kept:?}").into());
            }
            b.expect_accessible("the request form with an error")
                .await?;
            b.click("[data-testid=consent]").await?;
            b.click("[data-testid=send-request]").await?;
            let code = b.text("[data-testid=request-code]").await?;
            b.wait_text("[data-testid=request-center]", "瓜州镇综治中心")
                .await?;
            let overflow: bool = b
                .eval("return document.documentElement.scrollWidth > window.innerWidth;")
                .await?;
            if overflow {
                return Err("the receipt is wider than the phone".into());
            }
            b.expect_accessible("the online request's receipt").await?;
            b.screenshot("request-receipt-360").await?;
            // The receipt's link is the QR code's address: the code is filled in.
            b.click("[data-testid=request-lookup]").await?;
            b.wait("#status-last4[autofocus]").await?;
            let filled: String = b
                .eval("return document.querySelector('#status-code').value;")
                .await?;
            if filled != code {
                return Err(format!("the link filled in {filled:?}, not {code:?}").into());
            }
            b.fill("input[name=phone_last4]", "5678").await?;
            b.click("[data-testid=lookup]").await?;
            b.wait("[data-step=registered][data-state=current]").await?;
            if b.count("[data-testid=rating-form]").await? != 0 {
                return Err("an open case offers a rating".into());
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;

    let (id, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM cases WHERE channel = 'online'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("no online case: {e}"));
    // The lead sees it on the board, in the registered column, marked as online.
    let desk = Browser::start(&server.base_url, 1280, 800, false)
        .await
        .unwrap_or_else(|e| panic!("browser: {e}"));
    let card = card_in("registered", &code);
    scenario("the_online_request_on_the_board", desk, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.wait_text(&card, "包工头").await?;
            b.wait(&format!("{card} [data-testid=card-online]")).await?;
            b.click(&format!("{card} [data-testid=card-link]")).await?;
            b.wait_text("[data-testid=case-channel]", "网上诉求")
                .await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;

    // Closed by the mediator; the resident rates it from the phone.
    let case = app.read_case(&app.login("lead").await, id).await;
    app.close_case(
        &case,
        shared::model::Outcome::AgreementWritten,
        "工资已结清",
    )
    .await;
    let phone = Browser::start(&server.base_url, 360, 640, true)
        .await
        .unwrap_or_else(|e| panic!("browser: {e}"));
    scenario("a_rating_from_a_phone", phone, |b| async move {
        let result = async {
            b.goto(&format!("/status?code={code}")).await?;
            b.fill("input[name=phone_last4]", "5678").await?;
            b.click("[data-testid=lookup]").await?;
            b.wait("[data-testid=rating-form]").await?;
            b.expect_accessible("the rating form").await?;
            // Sent without a choice: asked for.
            b.fill("[data-testid=rating-comment]", "处理很及时").await?;
            b.click("[data-testid=rate]").await?;
            b.wait_text("[data-testid=rating-error]", "必填").await?;
            b.expect_accessible("the rating form with an error").await?;
            b.click("[data-testid=rate-satisfied]").await?;
            b.click("[data-testid=rate]").await?;
            b.wait("[data-testid=rating-thanks]").await?;
            b.wait("[data-testid=status-rating][data-satisfaction=satisfied]")
                .await?;
            if b.count("[data-testid=rating-form]").await? != 0 {
                return Err("the rating is offered again".into());
            }
            b.expect_accessible("the rating given").await?;
            b.screenshot("rating-phone-360").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
    let detail = app.read_case(&app.login("lead").await, id).await;
    assert_eq!(
        detail.rating.map(|r| (r.satisfaction, r.comment)),
        Some((
            shared::model::Satisfaction::Satisfied,
            Some("处理很及时".to_owned())
        ))
    );
}

/// The administrator issues an Open311 API key (an empty name is named first), sees it once,
/// the key works for a client's post and the list counts it; revoked after a confirmation, the
/// key is refused. The holiday calendar and the Open311 page pass axe-core.
#[tokio::test(flavor = "multi_thread")]
async fn the_administrator_issues_an_open311_key_and_revokes_it() {
    let server = TestServer::start().await;
    let app = server.app();
    let village = server.fixture.villages[0].to_string();
    let b = desktop(&server).await;
    scenario("open311_keys", b, |b| async move {
        let result = async {
            sign_in(&b, "admin").await?;
            b.click("[data-testid=nav-calendar]").await?;
            b.wait("[data-testid=calendar-status]").await?;
            b.expect_accessible("the holiday calendar").await?;
            b.click("[data-testid=nav-open311]").await?;
            b.wait("[data-testid=open311-none]").await?;
            b.wait_text("[data-testid=open311-endpoint]", "/open311/v2")
                .await?;
            b.expect_accessible("the Open311 clients page").await?;
            // Issued without a name: the field is named.
            b.click("[data-testid=open311-submit]").await?;
            b.wait("#open311-name[aria-invalid=true]").await?;
            b.wait_text("[data-testid=error-name]", "必填").await?;
            b.fill("[data-testid=open311-name]", "县12345热线").await?;
            b.click("[data-testid=open311-submit]").await?;
            b.wait("[data-testid=open311-issued]").await?;
            let key: String = b
                .eval("return document.querySelector('[data-testid=open311-key]').value;")
                .await?;
            if !key.starts_with("c311_") || key.len() != 69 {
                return Err(format!("not a key: {key:?}").into());
            }
            b.wait_text("[data-testid=open311-row]", "实时").await?;
            b.expect_accessible("the Open311 page with a key shown once")
                .await?;
            b.screenshot("open311-issued-1280").await?;
            // The key works for a client.
            let form = |key: &str| {
                let mut out = form_urlencoded::Serializer::new(String::new());
                for (k, v) in [
                    ("api_key", key),
                    ("service_code", "labour"),
                    ("attribute[village]", village.as_str()),
                    ("first_name", "四"),
                    ("last_name", "李"),
                    ("phone", "13912345678"),
                    ("description", "包工头拖欠我们三个月工资,多次讨要未果。"),
                ] {
                    out.append_pair(k, v);
                }
                out.finish()
            };
            // A client's post with the key.
            let post = || {
                app.send(
                    axum::http::Method::POST,
                    "/open311/v2/requests.json",
                    None,
                    Some("application/x-www-form-urlencoded"),
                    form(&key),
                )
            };
            let posted = post().await;
            if posted.status.as_u16() != 200 {
                return Err(format!("the key was refused: {}", posted.text()).into());
            }
            // Closed, the key is not shown again; the list counts the request.
            b.click("[data-testid=open311-key-done]").await?;
            b.wait_gone("[data-testid=open311-issued]").await?;
            b.goto("/admin/open311").await?;
            b.wait_text("[data-testid=open311-row] td:nth-child(5)", "1")
                .await?;
            if b.count("[data-testid=open311-key]").await? != 0 {
                return Err("the key is shown again".into());
            }
            // Revoked after confirming.
            b.click("[data-testid=open311-revoke]").await?;
            b.wait_text(".open311-confirm", "确定").await?;
            b.resize(1024, 768).await?;
            b.screenshot("open311-confirm-1024").await?;
            b.click("[data-testid=open311-revoke-yes]").await?;
            b.wait("[data-testid=open311-row][data-revoked=true]")
                .await?;
            b.wait_text("[data-testid=open311-row]", "已吊销于").await?;
            b.expect_accessible("the Open311 page with a revoked key")
                .await?;
            b.resize(768, 1024).await?;
            b.screenshot("open311-revoked-768").await?;
            let refused = post().await;
            if refused.status.as_u16() != 403 {
                return Err(format!("a revoked key was taken: {}", refused.text()).into());
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// Each staff page's code is its own wasm module, fetched when the page is first shown. With
/// the network cut, opening a page not yet fetched says so (in the person's language) and
/// offers to try again and to reload, and the app keeps working; with the network back, "try
/// again" shows the page. The sign-in page alone loads only the main module.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_module_cannot_be_fetched_says_so_and_loads_on_retry() {
    let server = TestServer::start().await;
    let b = desktop(&server).await;
    scenario("page_not_loaded", b, |b| async move {
        let result = async {
            b.goto("/login").await?;
            b.wait("[data-testid=login-form]").await?;
            let fetched: Vec<String> = b
                .eval(
                    "return performance.getEntriesByType('resource').map(r => r.name).filter(n => n.endsWith('.wasm'));",
                )
                .await?;
            // Only the main module: no page's module and no shared chunk before a page asks.
            if !fetched.iter().any(|f| f.ends_with("/concord_frontend_bg.wasm"))
                || fetched
                    .iter()
                    .any(|f| f.contains("/split_") || f.contains("/chunk_"))
            {
                return Err(format!("the sign-in page fetched {fetched:?}").into());
            }
            sign_in(&b, "lead").await?;
            b.network(Network::Offline).await?;
            b.click("[data-testid=nav-register]").await?;
            b.wait_text("[data-testid=page-not-loaded]", "这一页未能加载")
                .await?;
            b.expect_accessible("a page that could not be loaded").await?;
            b.screenshot("page-not-loaded-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("page-not-loaded-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("page-not-loaded-768").await?;
            b.resize(1280, 800).await?;
            // The frame still works: back to the board, whose module is already here (its
            // cards cannot come while the line is cut, and it says so).
            b.click("[data-testid=nav-board]").await?;
            b.wait("[data-testid=board-page]").await?;
            b.wait_text("[data-testid=error]", "看板加载失败").await?;
            b.click("[data-testid=nav-register]").await?;
            b.wait("[data-testid=page-not-loaded]").await?;
            // Still cut: trying again fetches again, and says so again (a new box, not the
            // one that was there).
            let _: serde_json::Value = b
                .eval("document.querySelector('[data-testid=page-not-loaded]').dataset.tried = 'once'; return null;")
                .await?;
            b.click("[data-testid=page-not-loaded] button").await?;
            b.wait("[data-testid=page-not-loaded]:not([data-tried])")
                .await?;
            b.network(Network::Online).await?;
            b.click("[data-testid=page-not-loaded] button").await?;
            b.wait("[data-testid=intake-page]").await?;
            b.wait_gone("[data-testid=page-not-loaded]").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// A live change to an open case reloads it in place: the page is not swapped for "loading…"
/// (its cooperating units' names load again with it), and the note being typed keeps its
/// focus and its text.
#[tokio::test]
async fn a_live_change_reloads_the_case_page_in_place_keeping_what_is_typed() {
    use shared::model::HandlerRef;
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let case = app.register(&lead, &app.sample_case()).await;
    let route = Command::Route {
        handler: HandlerRef::Mediator(fx.mediator),
        cooperating: vec![HandlerRef::Department(fx.judicial_office)],
        note: String::new(),
    };
    let routed = app.move_case(&lead, &case, route).await;
    app.move_case(&mediator, &routed, Command::Accept).await;
    let id = case.id;
    let b = desktop(&server).await;
    scenario("case_live_in_place", b, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.goto(&format!("/cases/{id}")).await?;
            b.wait_text("[data-testid=case-page]", "司法所").await?;
            // The page's own live stream connects beside it.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            b.fill("#note-text", "调解前先核对双方的材料").await?;
            let _: serde_json::Value = b
                .eval(
                    "document.querySelector('[data-testid=case-page]').dataset.mark = 'kept';
                     window.loadingSeen = false;
                     new MutationObserver(() => {
                       if (document.querySelector('.state-loading')) window.loadingSeen = true;
                     }).observe(document.body, { childList: true, subtree: true });
                     return null;",
                )
                .await?;
            app.post_json(
                &format!("/api/cases/{id}/messages"),
                Some(&mediator),
                &serde_json::json!({"text": "已联系双方，周五调解"}),
            )
            .await
            .expect_status(201);
            b.wait_text("[data-testid=messages]", "周五调解").await?;
            b.wait_text("[data-testid=case-page]", "司法所").await?;
            let (same_page, focused, typed, loading_seen): (bool, bool, String, bool) = b
                .eval(
                    "const page = document.querySelector('[data-testid=case-page]');
                     const note = document.getElementById('note-text');
                     return [page !== null && page.dataset.mark === 'kept',
                             document.activeElement === note, note.value, window.loadingSeen];",
                )
                .await?;
            if !same_page || loading_seen {
                return Err(format!(
                    "the live change rebuilt the page (same page: {same_page}, loading shown: {loading_seen})"
                )
                .into());
            }
            if !focused || typed != "调解前先核对双方的材料" {
                return Err(format!(
                    "the note lost its focus ({focused}) or its text ({typed:?})"
                )
                .into());
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The lead finds an archived case again in the case list (by its archive number), narrows the
/// list by stage, result and period (a reversed period is explained), opens a case from it,
/// and exports the ledger as CSV (the file the browser is handed holds every row, parties
/// unmasked for the lead) and as XLSX; with the line cut, the export says it failed. The list
/// is photographed at 1280×800, 1024×768 and 768×1024 and checked with axe.
#[tokio::test(flavor = "multi_thread")]
async fn a_lead_finds_an_archived_case_in_the_list_and_exports_the_ledger() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let first = app.register(&clerk, &app.sample_case()).await;
    let closed = app
        .close_case(&first, shared::model::Outcome::AgreementOral, "双方和解")
        .await;
    let archived = app
        .move_case(
            &lead,
            &closed,
            Command::Archive {
                retention_years: 10,
            },
        )
        .await;
    let archive_no = archived.archive_no.clone().unwrap_or_default();
    for _ in 0..2 {
        app.register(&clerk, &app.sample_case()).await;
    }
    let code = archived.code.clone();
    let b = desktop(&server).await;
    scenario("case_list", b, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.click("[data-testid=nav-cases]").await?;
            b.wait("[data-testid=cases-table]").await?;
            b.wait_text("[data-testid=cases-total]", "3 件").await?;
            b.expect_accessible("the case list").await?;
            b.screenshot("case-list-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("case-list-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("case-list-768").await?;
            b.resize(1280, 800).await?;
            // In English too, its headings and the export's words.
            b.click("[data-testid=lang-switch]").await?;
            b.wait_text("[data-testid=cases-page] h1", "Case list").await?;
            b.wait_text("[data-testid=export-xlsx]", "Export Excel").await?;
            b.resize(1024, 768).await?;
            b.screenshot("case-list-en-1024").await?;
            // The header keeps the person's tools in sight: the page does not scroll sideways.
            let wide: bool = b
                .eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
                .await?;
            if wide {
                return Err("at 1024 px in English the page scrolls sideways".into());
            }
            b.resize(768, 1024).await?;
            b.screenshot("case-list-en-768").await?;
            b.resize(1280, 800).await?;
            chinese(&b).await?;

            // The archive number finds the archived case, which the board no longer shows.
            b.fill("[data-testid=filter-q]", &archive_no).await?;
            b.wait_text("[data-testid=cases-total]", "1 件").await?;
            b.wait(&format!("[data-testid=case-row][data-code=\"{code}\"][data-stage=archived]"))
                .await?;
            b.click("[data-testid=clear-filters]").await?;
            b.wait_text("[data-testid=cases-total]", "3 件").await?;
            b.choose("[data-testid=filter-stage]", "registered").await?;
            b.wait_text("[data-testid=cases-total]", "2 件").await?;
            b.choose("[data-testid=filter-stage]", "").await?;
            b.choose("[data-testid=filter-outcome]", "agreement_oral").await?;
            b.wait_text("[data-testid=cases-total]", "1 件").await?;
            b.choose("[data-testid=filter-outcome]", "").await?;
            b.wait_text("[data-testid=cases-total]", "3 件").await?;
            // The filters live in the URL: a period whose end is before its start is explained.
            b.goto("/cases?from=2026-03-02&to=2026-03-01").await?;
            b.wait_text("[data-testid=period-error]", "结束日期不能早于开始日期")
                .await?;
            b.wait_gone("[data-testid=cases-table]").await?;
            b.goto("/cases?sort=oldest").await?;
            b.wait_text("[data-testid=cases-total]", "3 件").await?;
            let first_code = b
                .text("[data-testid=case-row]:first-child [data-testid=case-link]")
                .await?;
            if first_code.trim() != code {
                return Err(format!("oldest first shows {first_code}, not {code}").into());
            }

            // The ledger as CSV: the browser is handed the whole file (read from the blob the
            // page made: the page's CSP lets no script fetch a blob: address).
            let _: serde_json::Value = b
                .eval(
                    "window.__saved = [];
                     window.__blobs = {};
                     const made = URL.createObjectURL;
                     URL.createObjectURL = function (blob) {
                         const url = made.call(URL, blob);
                         window.__blobs[url] = blob;
                         return url;
                     };
                     HTMLAnchorElement.prototype.click = function () {
                         if (this.download) { window.__saved.push({ name: this.download, href: this.href }); }
                     };
                     return null;",
                )
                .await?;
            b.click("[data-testid=export-csv]").await?;
            b.wait_text("[data-testid=notice]", "台账已导出:3 件").await?;
            let saved: serde_json::Value = b.eval("return window.__saved;").await?;
            if saved.as_array().is_none_or(|a| a.len() != 1) {
                return Err(format!("the browser was handed {saved}").into());
            }
            let csv: String = b
                .eval_async(
                    "const done = arguments[0];
                     const saved = window.__saved[0];
                     window.__blobs[saved.href].arrayBuffer().then(buf => {
                         const bytes = new Uint8Array(buf);
                         const bom = bytes[0] === 0xEF && bytes[1] === 0xBB && bytes[2] === 0xBF;
                         done(saved.name + '\\n' + bom + '\\n' + new TextDecoder().decode(buf));
                     });",
                )
                .await?;
            let mut lines = csv.lines();
            let name = lines.next().unwrap_or_default();
            if !name.starts_with("矛盾纠纷排查化解台账-") || !name.ends_with(".csv") || lines.next() != Some("true") {
                return Err(format!("the CSV was saved as `{name}`, or without its BOM").into());
            }
            // The heading, then the three cases (each summary once; parties are unmasked).
            let heading = lines.next().unwrap_or_default();
            if !heading.starts_with("案件编号,")
                || csv.matches("邻里排水沟纠纷").count() != 3
                || !csv.contains(&code)
                || !csv.contains("张三")
            {
                return Err(format!("the CSV holds: {csv}").into());
            }
            // And as XLSX (a zip: it starts with PK).
            // (The CSV's notice still reads the same: wait for the second file itself.)
            b.click("[data-testid=export-xlsx]").await?;
            let zip: String = b
                .eval_async(
                    "const done = arguments[0];
                     const read = () => {
                         const saved = window.__saved[1];
                         if (!saved) { setTimeout(read, 50); return; }
                         window.__blobs[saved.href].arrayBuffer().then(buf => {
                             const b = new Uint8Array(buf);
                             done(saved.name + ' ' + String.fromCharCode(b[0], b[1]) + ' ' + b.length);
                         });
                     };
                     read();",
                )
                .await?;
            if !zip.contains(".xlsx PK ") {
                return Err(format!("the XLSX was saved as: {zip}").into());
            }
            // With the line cut, the export fails and says so.
            b.network(Network::Offline).await?;
            b.click("[data-testid=export-csv]").await?;
            b.wait_text("[data-testid=export-error]", "台账导出失败").await?;
            b.network(Network::Online).await?;

            // A row opens its case.
            b.click(&format!("[data-testid=case-row][data-code=\"{code}\"] [data-testid=case-link]"))
                .await?;
            b.wait_text("[data-testid=case-code]", &code).await?;

            // A town leader sees the parties masked, and so does the ledger they export.
            sign_out(&b).await?;
            sign_in(&b, "leader").await?;
            b.goto("/cases").await?;
            b.wait_text("[data-testid=export-masked-always]", "已脱敏").await?;
            if b.count("[data-testid=export-masked]").await? != 0 {
                return Err("a town leader is offered an unmasked export".into());
            }
            let _: serde_json::Value = b
                .eval(
                    "window.__blobs = [];
                     const made = URL.createObjectURL;
                     URL.createObjectURL = function (blob) { window.__blobs.push(blob); return made.call(URL, blob); };
                     HTMLAnchorElement.prototype.click = function () {};
                     return null;",
                )
                .await?;
            b.click("[data-testid=export-csv]").await?;
            b.wait_text("[data-testid=notice]", "当事人信息已脱敏").await?;
            let masked: String = b
                .eval_async(
                    "const done = arguments[0];
                     window.__blobs[0].text().then(done);",
                )
                .await?;
            if masked.contains("张三") || !masked.contains("张某") {
                return Err(format!("the leader's CSV holds: {masked}").into());
            }
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The lead opens the dashboard from the header: the figures of the year, each a link to its
/// cases (followed: the case list shows the dashboard's condition, removable); a preset period;
/// a period typed backwards explained at the field; in English. Photographed at 1280×800,
/// 1024×768 and 768×1024 and checked with axe.
#[tokio::test(flavor = "multi_thread")]
async fn a_lead_reads_the_dashboard_and_follows_a_figure_to_its_cases() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let first = app.register(&clerk, &app.sample_case()).await;
    app.close_case(&first, shared::model::Outcome::AgreementOral, "双方和解")
        .await;
    let second = app.register(&clerk, &app.sample_case()).await;
    app.close_case(&second, shared::model::Outcome::Withdrawn, "申请人撤回")
        .await;
    let mut consult = app.sample_case();
    consult.kind = shared::model::CaseKind::Consultation;
    consult.category = shared::model::Category::Other;
    app.register(&clerk, &consult).await;
    let b = desktop(&server).await;
    scenario("dashboard", b, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.click("[data-testid=nav-dashboard]").await?;
            b.wait("[data-testid=dash-tiles]").await?;
            b.wait_text("[data-testid=tile-received-link]", "3").await?;
            b.wait_text("[data-testid=tile-disputes-resolved-link]", "1").await?;
            b.wait_text("[data-testid=dispute-rate]", "100.0%").await?;
            b.wait_text("[data-testid=sub-uncounted]", "不计入 1").await?;
            b.wait("[data-testid=trend-chart]").await?;
            b.wait("[data-testid=dash-category]").await?;
            b.expect_accessible("the dashboard").await?;
            b.screenshot("dashboard-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("dashboard-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("dashboard-768").await?;
            // As printed (A4): the period bar and the header left out.
            b.emulate_print(true).await?;
            b.resize(794, 1123).await?;
            let hidden: bool = b
                .eval("return document.querySelector('[data-testid=dash-bar]').getClientRects().length === 0 \
                       && document.querySelector('.app-header').getClientRects().length === 0;")
                .await?;
            if !hidden {
                return Err("the printed dashboard shows the period bar or the header".into());
            }
            b.screenshot("dashboard-print").await?;
            b.emulate_print(false).await?;
            b.resize(1280, 800).await?;

            // A figure opens its cases: closed in the period, the condition shown and removable.
            b.click("[data-testid=sub-closed]").await?;
            b.wait("[data-testid=cases-table]").await?;
            b.wait_text("[data-testid=cases-total]", "2 件").await?;
            b.wait_text("[data-testid=condition-closed]", "办结期间").await?;
            b.click("[data-testid=condition-closed] button").await?;
            b.wait_gone("[data-testid=figure-conditions]").await?;
            b.wait_text("[data-testid=cases-total]", "3 件").await?;

            // A preset period, in the URL.
            b.click("[data-testid=nav-dashboard]").await?;
            b.wait("[data-testid=dash-tiles]").await?;
            b.click("[data-testid=dash-preset-month]").await?;
            b.wait("[data-testid=dash-preset-month][aria-pressed=true]").await?;
            b.wait_text("[data-testid=tile-received-link]", "3").await?;
            let url: String = b.eval("return location.search;").await?;
            if !url.contains("from=") {
                return Err(format!("the period is not in the URL: {url}").into());
            }
            // A period typed backwards is explained and not asked for.
            b.goto("/dashboard?from=2026-03-02&to=2026-03-01").await?;
            b.wait_text("[data-testid=dash-period-error]", "结束日期不能早于开始日期")
                .await?;
            b.wait_gone("[data-testid=dash-tiles]").await?;

            // In English.
            b.goto("/dashboard").await?;
            b.wait("[data-testid=dash-tiles]").await?;
            b.click("[data-testid=lang-switch]").await?;
            b.wait_text("[data-testid=dashboard-page] h1", "Dashboard").await?;
            b.wait_text("[data-testid=tile-disputes-resolved]", "Disputes resolved")
                .await?;
            b.resize(1024, 768).await?;
            b.screenshot("dashboard-en-1024").await?;
            let wide: bool = b
                .eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
                .await?;
            if wide {
                return Err("the dashboard scrolls sideways at 1024 px".into());
            }
            b.resize(1280, 800).await?;
            chinese(&b).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// Sets an input's value the way typing does (for `datetime-local`, whose typing depends on
/// the browser's locale).
async fn set_value(b: &Browser, selector: &str, value: &str) -> Result {
    let script = format!(
        "const e = document.querySelector({selector:?}); e.value = {value:?}; \
         e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"
    );
    let _: bool = b.eval(&script).await?;
    Ok(())
}

/// The lead convenes a joint meeting (a missing title is explained at the field), finds the
/// overdue and high-risk cases on the agenda, takes one off and puts it back, records a
/// decision (an urging to the police station), records the meeting held with who came and the
/// minutes, and prints the minutes (photographed as printed, A4). The meeting page is
/// photographed at 1280×800, 1024×768 and 768×1024 and checked with axe.
#[tokio::test(flavor = "multi_thread")]
async fn a_lead_holds_a_joint_meeting_and_prints_its_minutes() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            Command::Route {
                handler: shared::model::HandlerRef::Department(app.fixture.police_station),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    app.execute(&format!(
        "UPDATE cases SET due_on = '2020-01-01' WHERE id = {}",
        routed.id
    ))
    .await;
    let mut high = app.sample_case();
    high.risk = shared::model::RiskLevel::High;
    let risky = app.register(&clerk, &high).await;
    let (police, land, mediator) = (
        app.fixture.police_station,
        app.fixture.land_office,
        app.fixture.mediator,
    );
    let overdue_code = routed.code.clone();
    let risky_code = risky.code.clone();
    let b = desktop(&server).await;
    scenario("meeting", b, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.click("[data-testid=nav-meetings]").await?;
            b.wait("[data-testid=meeting-form]").await?;
            b.wait("[data-testid=meetings-empty]").await?;
            b.wait(&format!("[data-testid=invite-department-{police}]")).await?;
            b.expect_accessible("the meetings and the form to convene one").await?;
            b.resize(1024, 768).await?;
            b.screenshot("meetings-form-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("meetings-form-768").await?;
            b.resize(1280, 800).await?;
            b.click(&format!("[data-testid=invite-department-{police}]")).await?;
            b.click(&format!("[data-testid=invite-department-{land}]")).await?;
            b.click(&format!("[data-testid=invite-mediator-{mediator}]")).await?;
            set_value(&b, "[data-testid=meeting-starts]", "2026-12-10T09:30").await?;
            // No title: said at the field, nothing sent.
            b.click("[data-testid=meeting-submit]").await?;
            b.wait_text("[data-testid=error-title]", "必填").await?;
            b.fill("[data-testid=meeting-title]", "第四季度矛盾纠纷分析研判联席会议").await?;
            b.fill("[data-testid=meeting-place]", "综治中心会议室").await?;
            b.click("[data-testid=meeting-submit]").await?;
            b.wait("[data-testid=meeting-page]").await?;
            b.wait_text("[data-testid=meeting-title]", "第四季度").await?;
            b.wait(&format!("[data-testid=agenda-row][data-code=\"{overdue_code}\"]")).await?;
            b.wait(&format!("[data-testid=agenda-row][data-code=\"{risky_code}\"]")).await?;
            b.expect_accessible("the joint meeting").await?;
            b.screenshot("meeting-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("meeting-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("meeting-768").await?;
            b.resize(1280, 800).await?;

            // Off the agenda and back from the candidates.
            b.click(&format!(
                "[data-testid=agenda-row][data-code=\"{risky_code}\"] [data-testid=agenda-remove]"
            ))
            .await?;
            b.wait_gone(&format!("[data-testid=agenda-row][data-code=\"{risky_code}\"]")).await?;
            b.click("[data-testid=candidate-add]").await?;
            b.wait(&format!("[data-testid=agenda-row][data-code=\"{risky_code}\"]")).await?;

            // A decision on the overdue case, to the police station.
            b.wait("[data-testid=decision-form]").await?;
            let item: String = b
                .eval(&format!(
                    "return [...document.querySelectorAll('[data-testid=decision-item] option')]\
                     .find(o => o.textContent.trim() === {overdue_code:?}).value;"
                ))
                .await?;
            b.choose("[data-testid=decision-item]", &item).await?;
            b.choose("[data-testid=decision-who]", &format!("department:{police}")).await?;
            b.fill("[data-testid=decision-what]", "派出所三日内约谈双方,防止矛盾激化").await?;
            b.click("[data-testid=decision-submit]").await?;
            b.wait_text("[data-testid=decision-row]", "约谈双方").await?;
            b.wait_text("[data-testid=decision-row]", "督办承办单位").await?;

            // Held: the land office did not come.
            b.click(&format!("[data-testid=came-department-{land}]")).await?;
            b.fill(
                "[data-testid=meeting-minutes-input]",
                "会议分析了本季度矛盾纠纷态势,对两件重点案件明确了责任单位和办理时限。",
            )
            .await?;
            b.click("[data-testid=hold-submit]").await?;
            b.wait_text("[data-testid=meeting-status]", "已召开").await?;
            b.wait_text("[data-testid=meeting-minutes]", "重点案件").await?;
            b.wait_text("[data-testid=meeting-absent]", "国土所").await?;
            b.wait_gone("[data-testid=hold-form]").await?;

            // The minutes as printed: A4, the forms and buttons left out.
            b.emulate_print(true).await?;
            b.resize(794, 1123).await?;
            let hidden: bool = b
                .eval("return document.querySelector('[data-testid=minutes-print]').getClientRects().length === 0 \
                       && document.querySelector('.app-header').getClientRects().length === 0;")
                .await?;
            if !hidden {
                return Err("the printed minutes show the page's buttons or header".into());
            }
            b.screenshot("meeting-minutes-print").await?;
            b.emulate_print(false).await?;
            b.resize(1280, 800).await?;

            // The list shows it held; in English too.
            b.click("[data-testid=nav-meetings]").await?;
            b.wait_text("[data-testid=meeting-row]", "已召开").await?;
            b.click("[data-testid=lang-switch]").await?;
            b.wait_text("[data-testid=meetings-page] h1", "Joint meetings").await?;
            b.wait_text("[data-testid=meeting-row]", "Held").await?;
            chinese(&b).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The sheet the server has for session `id`, as the mediator reads it.
async fn server_sheet(app: &concord_tests::TestApp, id: i64) -> shared::mediation::SessionDetail {
    let mediator = app.login("mediator").await;
    let res = app
        .get(&format!("/api/sessions/{id}"), Some(&mediator))
        .await;
    res.expect_status(200);
    res.json()
}

/// On a 768×1024 touch tablet the mediator schedules a session from the case page, opens it,
/// checks the parties in (one represented), reads them their rights, begins, and types the
/// record. The line is cut: what is typed next stays on the tablet and the bar says how many
/// changes wait; the page is reloaded with the saves still failing and still shows them; the
/// line comes back and every keystroke is on the server. Another device then saves first: the
/// tablet shows both records and the mediator keeps the tablet's. The session ends with an
/// agreement. The session screen is photographed portrait and landscape (and the conflict),
/// and checked with axe.
#[tokio::test(flavor = "multi_thread")]
async fn a_mediator_runs_a_session_on_a_tablet_and_loses_nothing_offline() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let routed = app
        .move_case(
            &lead,
            &case,
            Command::Route {
                handler: shared::model::HandlerRef::Mediator(app.fixture.mediator),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let case = app.move_case(&mediator, &routed, Command::Accept).await;
    let tomorrow = app.state.config.today() + chrono::Days::new(1);
    let b = match Browser::start(&server.base_url, 768, 1024, true).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    let case_id = case.id;
    scenario("session_tablet", b, |b| async move {
        let result = async {
            sign_in(&b, "mediator").await?;
            b.goto(&format!("/cases/{case_id}")).await?;
            b.wait("[data-testid=sessions-empty]").await?;
            b.click("[data-testid=session-new]").await?;
            b.wait("[data-testid=session-form]").await?;
            // No time yet: said at the field.
            b.click("[data-testid=session-submit]").await?;
            b.wait_text("[data-testid=error-starts_at]", "必填").await?;
            set_value(&b, "[data-testid=session-starts]", &format!("{tomorrow}T09:30")).await?;
            b.click("[data-testid=session-submit]").await?;
            b.wait_text("[data-testid=session-row]", "第一调解室").await?;
            b.wait_text("[data-testid=session-row]", "张调解").await?;
            b.screenshot("session-case-panel-768").await?;
            b.click("[data-testid=session-row] .session-when").await?;

            // The session screen.
            b.wait("[data-testid=session-mode]").await?;
            b.wait_text("[data-testid=session-clock]", "未开始").await?;
            b.wait("[data-testid=checkin-party][data-position=\"1\"]").await?;
            b.click("[data-testid=checkin-party][data-position=\"0\"] [data-testid=checkin-present]").await?;
            b.click("[data-testid=checkin-party][data-position=\"1\"] [data-testid=checkin-represented]").await?;
            b.fill("[data-testid=represented-by]", "王五").await?;
            b.click("[data-testid=consent-read]").await?;
            b.click("[data-testid=session-begin]").await?;
            b.wait_text("[data-testid=session-clock]", "00:0").await?;
            b.click("[data-testid=add-turn]").await?;
            b.fill("[data-testid=turn]:last-child [data-testid=turn-text]", "请双方陈述排水沟堵塞的经过。").await?;
            b.wait("[data-testid=sync-state][data-state=saved]").await?;
            b.expect_accessible("the session screen on a tablet").await?;
            let top = "document.querySelector('.session-mode').scrollTo(0, 0); return true;";
            let _: bool = b.eval(top).await?;
            b.screenshot("session-768").await?;
            b.resize(1024, 768).await?;
            let _: bool = b.eval(top).await?;
            b.screenshot("session-1024").await?;
            b.resize(768, 1024).await?;

            // The line is cut: typed on, kept on the tablet, counted.
            b.network(Network::Offline).await?;
            b.click("[data-testid=add-turn]:nth-of-type(2)").await?;
            b.fill("[data-testid=turn]:last-child [data-testid=turn-text]", "申请人:雨天积水流进我家院子。").await?;
            b.wait("[data-testid=sync-state][data-state=offline]").await?;
            b.wait_text("[data-testid=sync-state]", "1 处更改未保存").await?;
            b.wait("[data-testid=turn]:last-child [data-testid=turn-text]").await?
                .send_keys("已经三次了。")
                .await?;
            b.screenshot("session-offline-768").await?;

            // Reloaded while saves still fail: the tablet still has everything.
            let path: String = b.eval("return location.pathname;").await?;
            let id: i64 = path.trim_start_matches("/sessions/").parse()?;
            b.block_urls(&["*/api/sessions/*/sheet"]).await?;
            b.network(Network::Online).await?;
            b.goto(&path).await?;
            b.wait("[data-testid=session-mode]").await?;
            let both = ["请双方陈述排水沟堵塞的经过。", "申请人:雨天积水流进我家院子。已经三次了。"];
            // The page draws the sheet once its load and the tablet's copy are in: wait for it
            // (a loaded machine drew nothing yet when asked at once).
            let mut texts: Vec<String> = Vec::new();
            for _ in 0..100 {
                texts = b
                    .eval("return [...document.querySelectorAll('[data-testid=turn-text]')].map(t => t.value);")
                    .await?;
                if texts == both {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if texts != both {
                return Err(format!("after the reload the tablet shows {texts:?}").into());
            }
            b.wait("[data-testid=sync-state][data-state=offline]").await?;

            // The line comes back: sent by itself, every keystroke on the server.
            b.block_urls(&[]).await?;
            b.wait("[data-testid=sync-state][data-state=saved]").await?;
            let d = server_sheet(app, id).await;
            let texts: Vec<&str> = d.sheet.turns.iter().map(|t| t.text.as_str()).collect();
            if texts != both || d.sheet.attendance[1].represented_by != "王五" || !d.sheet.consent_read {
                return Err(format!("the server has {:?}", d.sheet).into());
            }

            // Another device saves first: the tablet shows both and the mediator chooses.
            b.block_urls(&["*/api/sessions/*/sheet"]).await?;
            b.wait("[data-testid=turn]:last-child [data-testid=turn-text]").await?
                .send_keys("被申请人表示愿意出钱疏通。")
                .await?;
            b.wait("[data-testid=sync-state][data-state=offline]").await?;
            let mut theirs = d.sheet.clone();
            theirs.turns.push(shared::mediation::Turn {
                speaker: shared::mediation::Speaker::Other { label: "村干部".into() },
                text: "另一台设备记下的话。".into(),
            });
            let mediator = app.login("mediator").await;
            let res = app
                .send(
                    axum::http::Method::PUT,
                    &format!("/api/sessions/{id}/sheet"),
                    Some(&mediator),
                    Some("application/json"),
                    serde_json::to_string(&shared::mediation::SaveSheet { version: d.version, sheet: theirs })?,
                )
                .await;
            res.expect_status(200);
            b.block_urls(&[]).await?;
            b.wait("[data-testid=conflict]").await?;
            b.wait_text("[data-testid=conflict-mine]", "愿意出钱疏通").await?;
            b.wait_text("[data-testid=conflict-theirs]", "另一台设备记下的话").await?;
            b.wait("[data-testid=sync-state][data-state=conflict]").await?;
            b.expect_accessible("the two records side by side").await?;
            b.screenshot("session-conflict-768").await?;
            b.click("[data-testid=keep-mine]").await?;
            b.wait_gone("[data-testid=conflict]").await?;
            b.wait("[data-testid=sync-state][data-state=saved]").await?;
            let d = server_sheet(app, id).await;
            let last = d.sheet.turns.last().map(|t| t.text.clone()).unwrap_or_default();
            if d.sheet.turns.len() != 2 || !last.ends_with("被申请人表示愿意出钱疏通。") {
                return Err(format!("after keeping the tablet's, the server has {:?}", d.sheet.turns).into());
            }

            // The session ends with an agreement.
            b.click("[data-testid=outcome-agreement]").await?;
            b.click("[data-testid=end-submit]").await?;
            b.wait("[data-testid=session-ended]").await?;
            b.wait_text("[data-testid=session-status]", "达成调解协议").await?;
            b.wait_text("[data-testid=session-outcome]", "达成调解协议").await?;
            b.resize(1024, 768).await?;
            let _: bool = b.eval(top).await?;
            b.screenshot("session-ended-1024").await?;

            // Back at the case: the agreement drafted and signed with a finger on the tablet.
            b.resize(768, 1024).await?;
            b.goto(&format!("/cases/{case_id}")).await?;
            b.click("[data-testid=agreement-draft]").await?;
            b.wait("[data-testid=agreement-form]").await?;
            fill_agreement(&b).await?;
            b.click("[data-testid=agreement-save]").await?;
            b.wait("[data-testid=agreement-status][data-status=draft]").await?;
            b.click("[data-testid=sign-party-0]").await?;
            b.wait("[data-testid=signature-pad]").await?;
            b.drag_touch("[data-testid=signature-pad]", "[data-testid=signature-clear]")
                .await?;
            let strokes = b.count("[data-testid=signature-pad] path").await?;
            if strokes == 0 {
                return Err("the finger drew nothing on the pad".into());
            }
            b.screenshot("signature-pad-768").await?;
            b.resize(1024, 768).await?;
            b.screenshot("signature-pad-1024").await?;
            b.click("[data-testid=signature-save]").await?;
            b.wait_gone("[data-testid=sign-box]").await?;
            b.wait("[data-testid=signature][data-matches=true] svg path").await?;
            b.expect_accessible("the agreement on the tablet").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The lead books a room already taken and is told which case holds it, then reads the day per
/// room and per mediator; the administrator adds a room and takes one out of use. The day, the
/// booking form and the rooms are photographed at 1280×800, 1024×768 and 768×1024 and checked
/// with axe.
#[tokio::test(flavor = "multi_thread")]
async fn a_clash_is_named_and_the_day_shows_each_room_and_mediator() {
    let server = TestServer::start().await;
    let app = server.app();
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let mediator = app.login("mediator").await;
    let mut cases = Vec::new();
    for _ in 0..2 {
        let case = app.register(&clerk, &app.sample_case()).await;
        let routed = app
            .move_case(
                &lead,
                &case,
                Command::Route {
                    handler: shared::model::HandlerRef::Mediator(app.fixture.mediator),
                    cooperating: vec![],
                    note: String::new(),
                },
            )
            .await;
        cases.push(app.move_case(&mediator, &routed, Command::Accept).await);
    }
    let day = app.state.config.today() + chrono::Days::new(1);
    let booked = shared::mediation::NewSession {
        starts_at: day.and_hms_opt(9, 0, 0),
        minutes: 90,
        room_id: Some(app.fixture.rooms[0]),
        mediators: vec![app.fixture.mediator],
        parties: vec![0, 1],
        notify_parties: false,
    };
    let res = app
        .post_json(
            &format!("/api/cases/{}/sessions", cases[0].id),
            Some(&lead),
            &booked,
        )
        .await;
    res.expect_status(201);
    let (first_code, second_id) = (cases[0].code.clone(), cases[1].id);
    let b = desktop(&server).await;
    scenario("sessions_day", b, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.goto(&format!("/cases/{second_id}")).await?;
            b.click("[data-testid=session-new]").await?;
            b.wait("[data-testid=session-form]").await?;
            set_value(&b, "[data-testid=session-starts]", &format!("{day}T10:00")).await?;
            b.click(&format!(
                "[data-testid=session-mediators] input[value=\"{}\"]",
                app.fixture.mediator2
            ))
            .await?;
            b.click("[data-testid=session-submit]").await?;
            b.wait_text("[data-testid=error-room_id]", &first_code)
                .await?;
            b.wait_text("[data-testid=error-room_id]", "第一调解室")
                .await?;
            b.expect_accessible("the booking form with a clash").await?;
            b.screenshot("session-form-clash-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("session-form-clash-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("session-form-clash-768").await?;
            b.resize(1280, 800).await?;
            // Another room: booked.
            b.choose(
                "[data-testid=session-room]",
                &app.fixture.rooms[1].to_string(),
            )
            .await?;
            b.click("[data-testid=session-submit]").await?;
            b.wait_text("[data-testid=session-row]", "第二调解室")
                .await?;

            b.click("[data-testid=nav-sessions]").await?;
            b.wait("[data-testid=sessions-page]").await?;
            b.click("[data-testid=day-next]").await?;
            b.wait_text("[data-testid=day-groups]", &first_code).await?;
            if b.count("[data-testid=day-session]").await? != 2 {
                return Err("the day does not show both sessions".into());
            }
            b.expect_accessible("the day per room").await?;
            b.screenshot("sessions-day-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("sessions-day-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("sessions-day-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=by-mediator]").await?;
            b.wait("[data-testid=by-mediator][aria-pressed=true]")
                .await?;
            // 张调解 mediates the first, 赵调解 the second.
            b.wait_text("[data-testid=day-group]:nth-child(1) h2", "张调解")
                .await?;
            b.wait_text("[data-testid=day-group]:nth-child(2) h2", "赵调解")
                .await?;
            if b.count("[data-testid=day-session]").await? != 2 {
                return Err("the day per mediator does not show each mediator's sessions".into());
            }
            b.expect_accessible("the day per mediator").await?;
            sign_out(&b).await?;

            // The administrator's rooms.
            b.fill("input[name=username]", "admin").await?;
            b.fill("input[name=password]", PASSWORD).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=nav-rooms]").await?;
            b.click("[data-testid=nav-rooms]").await?;
            b.wait("[data-testid=room-row]").await?;
            b.click("[data-testid=room-submit]").await?;
            b.wait("[data-testid=error-town_id]").await?;
            b.choose("[data-testid=room-town]", &app.fixture.town_a.to_string())
                .await?;
            b.fill("[data-testid=room-name]", "家事调解室").await?;
            b.click("[data-testid=room-submit]").await?;
            b.wait_text("[data-testid=town-rooms]", "家事调解室")
                .await?;
            b.click("[data-testid=room-row] [data-testid=room-toggle]")
                .await?;
            b.wait("[data-testid=room-row][data-active=false]").await?;
            b.expect_accessible("the administrator's rooms").await?;
            b.screenshot("rooms-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("rooms-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("rooms-768").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// On a 768×1024 touch tablet the board's filters take one line (a button opens the rest and
/// says how many are set), so a column shows more cards; a long press anywhere on a card
/// drags it; a plain swipe scrolls the column instead, and a sideways swipe does not leave the
/// board.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_tablet_the_filters_fold_and_a_long_press_anywhere_drags_a_card() {
    let server = TestServer::start().await;
    let app = server.app();
    let lead = app.login("lead").await;
    for _ in 0..12 {
        app.register(&lead, &app.sample_case()).await;
    }
    let browser = match Browser::start(&server.base_url, 768, 1024, true).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    let police = app.fixture.police_station;
    scenario("tablet_board", browser, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            let column = "[data-testid=column-registered]";
            b.wait(&format!("{column} [data-testid^=card-]")).await?;
            let filters_height: f64 = b
                .eval("return document.querySelector('[data-testid=filters]').getBoundingClientRect().height;")
                .await?;
            if filters_height > 70.0 {
                return Err(format!("the folded filters are {filters_height}px high").into());
            }
            let shown: usize = b
                .eval(&format!(
                    "const body = document.querySelector('{column} .column-body').getBoundingClientRect(); \
                     return [...document.querySelectorAll('{column} .card')].filter(c => {{ \
                       const r = c.getBoundingClientRect(); return r.top >= body.top && r.bottom <= body.bottom + 1; }}).length;"
                ))
                .await?;
            if shown < 4 {
                return Err(format!("only {shown} whole cards show in the column").into());
            }
            b.expect_accessible("the board on a tablet, filters folded").await?;
            b.screenshot("board-tablet-768").await?;
            b.click("[data-testid=filter-fold]").await?;
            b.wait("[data-testid=filter-fold][aria-expanded=true]").await?;
            b.choose("select[name=risk]", "low").await?;
            b.wait_text("[data-testid=filter-fold]", "(1)").await?;
            b.expect_accessible("the board on a tablet, filters open").await?;
            b.screenshot("board-tablet-filters-768").await?;
            b.click("[data-testid=filter-fold]").await?;
            b.wait("[data-testid=filter-fold][aria-expanded=false]").await?;

            // A plain swipe up scrolls the column; no card is lifted.
            let top: String = b
                .eval(&format!("return document.querySelector('{column} .card').dataset.code;"))
                .await?;
            let first = format!("{column} [data-testid=\"card-{top}\"] .card-summary");
            b.swipe(&first, 0.0, -300.0).await?;
            let scrolled: f64 = b
                .eval(&format!("return document.querySelector('{column} .column-body').scrollTop;"))
                .await?;
            if scrolled <= 0.0 {
                return Err("a swipe on a card did not scroll the column".into());
            }
            if b.count("[data-testid=move-dialog]").await? != 0 || b.count("[data-testid=drag-ghost]").await? != 0 {
                return Err("a swipe started a drag".into());
            }
            // A sideways swipe stays on the board.
            b.swipe(&format!("{column} .card-summary"), 300.0, 0.0).await?;
            let path: String = b.eval("return location.pathname;").await?;
            if path != "/board" {
                return Err(format!("a sideways swipe left the board for {path}").into());
            }
            let _: bool = b
                .eval(&format!("document.querySelector('{column} .column-body').scrollTop = 0; return true;"))
                .await?;

            // A long press on the card's text, then a drag to Routed.
            b.wait(&first).await?;
            let card = format!("{column} [data-testid=\"card-{top}\"]");
            b.long_press_drag(
                &format!("{card} .card-summary"),
                "[data-testid=column-routed]",
                std::time::Duration::from_millis(700),
            )
            .await?;
            b.wait("[data-testid=move-dialog]").await?;
            b.choose(
                "[data-testid=move-dialog] select[name=handler]",
                &format!("department:{police}"),
            )
            .await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait(&card_in("routed", &top)).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The repeat check (重复信访): a clerk types a petitioner's phone that an open case already
/// has, sees that case at once and links the petition to it; the lead's board marks the new
/// card, and the case page names the earlier case, which names its repeat. On the case page
/// the lead removes the link and makes it again from the check there.
#[tokio::test]
async fn a_clerk_typing_a_known_phone_sees_the_open_case_and_links_the_petition() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let clerk_cookie = app.login("clerk").await;
    let mut earlier_body = app.sample_case();
    earlier_body.summary = "王五反映邻居堵塞排水沟".to_owned();
    earlier_body.parties[0].name = "王五".to_owned();
    earlier_body.parties[0].phone = Some("13700001111".to_owned());
    let earlier = app.register(&clerk_cookie, &earlier_body).await;
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    let earlier_code = earlier.code.clone();
    scenario("repeat_check", browser, |b| async move {
        let result = async {
            sign_in(&b, "clerk").await?;
            b.goto("/cases/new").await?;
            b.wait("[data-testid=intake-form]").await?;
            b.choose("select[name=kind]", "petition").await?;
            b.choose("select[name=category]", "neighbour").await?;
            b.choose("select[name=village_id]", &fx.villages[0].to_string())
                .await?;
            b.fill("input[name=\"parties[0].name\"]", "王五").await?;
            // Ten digits: not yet a number, nothing is searched.
            b.fill("input[name=\"parties[0].phone\"]", "1370000111")
                .await?;
            if b.count("[data-testid=repeat-check]").await? != 0 {
                return Err("a partial number was searched".into());
            }
            b.fill("input[name=\"parties[0].phone\"]", "13700001111")
                .await?;
            let item = format!("[data-testid=repeat-match][data-code=\"{earlier_code}\"]");
            b.wait(&item).await?;
            b.wait_text(
                &format!("{item} [data-testid=repeat-summary]"),
                "王五反映邻居堵塞排水沟",
            )
            .await?;
            b.wait_text(&item, "137****1111").await?;
            // Said under the party too, where the number was typed.
            b.wait_text("[data-testid=party-row] [data-testid=repeat-hint]", "已有 1 件案件")
                .await?;
            b.expect_accessible("the repeat check at intake").await?;
            b.click(&format!("{item} [data-testid=link-repeat]"))
                .await?;
            b.wait(&format!("{item}[data-linked=true]")).await?;
            b.wait("[data-testid=repeat-petition-note]").await?;
            b.screenshot("repeat-check-1280").await?;
            b.resize(768, 1024).await?;
            b.eval::<()>("document.querySelector('[data-testid=repeat-hint]').scrollIntoView({block: 'center'});")
                .await?;
            b.screenshot("repeat-check-768").await?;
            b.resize(1280, 800).await?;
            b.fill("input[name=summary]", "王五再次反映排水沟未疏通")
                .await?;
            b.click("[data-testid=submit-case]").await?;
            let code = b
                .text("[data-testid=receipt-code]")
                .await?
                .trim()
                .to_owned();
            sign_out(&b).await?;

            // The lead's board marks the repeat; its case page names the earlier case.
            sign_in(&b, "lead").await?;
            let card = card_in("registered", &code);
            b.wait(&format!("{card} [data-testid=card-repeat]")).await?;
            b.click(&format!("{card} [data-testid=card-link]")).await?;
            b.wait_text("[data-testid=repeat-of]", &earlier_code)
                .await?;
            b.wait_text("[aria-labelledby=details-title]", "重复信访")
                .await?;
            // The village's town leader covers it.
            b.wait_text("[data-testid=case-grid]", "孙镇长").await?;
            b.expect_accessible("the case page's repeat panel").await?;
            b.resize(1024, 768).await?;
            b.eval::<()>("document.querySelector('[data-testid=repeats]').scrollIntoView();")
                .await?;
            b.screenshot("repeat-case-1024").await?;

            // The lead removes the link, then links again from the check on the page.
            b.click("[data-testid=unlink-repeat]").await?;
            b.wait_text("[data-testid=repeat-of]", "未关联前案").await?;
            let item = format!(
                "[data-testid=repeats] [data-testid=repeat-match][data-code=\"{earlier_code}\"]"
            );
            b.wait(&format!("{item}[data-linked=false]")).await?;
            b.click(&format!("{item} [data-testid=link-repeat]"))
                .await?;
            b.wait_text("[data-testid=repeat-of]", &earlier_code)
                .await?;
            b.wait(&format!("{item}[data-linked=true]")).await?;

            // The earlier case names its repeat.
            b.goto(&format!("/cases/{}", earlier.id)).await?;
            b.wait_text("[data-testid=repeated-by]", &code).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// Routing a labour dispute, the lead's dialog suggests the labour specialist first, says why,
/// and choosing the suggestion fills the handler.
#[tokio::test]
async fn the_leads_routing_dialog_suggests_the_specialist() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let app = server.app();
    let lead_cookie = app.login("lead").await;
    let mut body = app.sample_case();
    body.category = shared::model::Category::Labour;
    body.summary = "拖欠三个月工资".to_owned();
    let case = app.register(&lead_cookie, &body).await;
    let browser = match Browser::start(&server.base_url, 1024, 768, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("suggestions", browser, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            let card = card_in("registered", &case.code);
            b.click(&format!("{card} [data-testid=move-menu]")).await?;
            b.click("[data-testid=move-route]").await?;
            b.wait("[data-testid=move-dialog]").await?;
            let first = "[data-testid=suggestions] [data-testid=suggestion]:first-of-type";
            b.wait(&format!("{first}[data-handler=\"mediator:{}\"]", fx.mediator2))
                .await?;
            b.wait_text(first, "劳动争议专长").await?;
            b.wait_text(first, "在办 0 件").await?;
            b.expect_accessible("the routing dialog with its suggestions").await?;
            b.click(first).await?;
            b.wait(&format!("{first}[aria-pressed=true]")).await?;
            let chosen: String = b
                .eval("return document.querySelector('[data-testid=move-dialog] select[name=handler]').value;")
                .await?;
            if chosen != format!("mediator:{}", fx.mediator2) {
                return Err(format!("the suggestion chose `{chosen}`").into());
            }
            b.screenshot("suggestions-1024").await?;
            b.click("[data-testid=confirm-move]").await?;
            b.wait_gone("[data-testid=move-dialog]").await?;
            b.wait(&card_in("routed", &case.code)).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The reception log: a clerk logs a group of six (flagged as it is typed), registers the visit
/// as a case from its row (the form fills itself from the visit), and the row then names the
/// case; a service is logged beside it.
#[tokio::test]
async fn a_clerk_logs_a_group_visit_and_registers_it_as_a_case() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("reception_log", browser, |b| async move {
        let result = async {
            sign_in(&b, "clerk").await?;
            b.click("[data-testid=nav-logs]").await?;
            b.wait("[data-testid=visit-form]").await?;
            b.wait_text("[data-testid=visit-totals]", "共 0 批").await?;
            b.choose("#visit-purpose", "petition").await?;
            b.fill("#visit-visitors", "6").await?;
            b.wait("[data-testid=group-warning]").await?;
            b.fill("#visit-name", "王五").await?;
            b.fill("#visit-phone", "13700001111").await?;
            b.fill("#visit-note", "反映征地补偿款未兑现").await?;
            b.click("[data-testid=log-visit]").await?;
            b.wait("[data-testid=visit-row][data-group=true]").await?;
            b.wait_text("[data-testid=visit-totals]", "共 1 批 6 人次,其中集体访 1 批").await?;
            // The place and purpose stay for the next visitor; the rest is cleared.
            let kept: (String, String) = b
                .eval("return [document.querySelector('#visit-place').value, document.querySelector('#visit-name').value];")
                .await?;
            if kept != ("来访大厅".to_owned(), String::new()) {
                return Err(format!("after logging the form holds {kept:?}").into());
            }
            b.expect_accessible("the reception log").await?;
            b.screenshot("logs-1280").await?;

            // A service given.
            b.choose("#service-kind", "counselling").await?;
            b.fill("#service-person", "赵六").await?;
            b.fill("#service-minutes", "40").await?;
            b.click("[data-testid=log-service]").await?;
            b.wait("[data-testid=service-row]").await?;
            b.wait_text("[data-testid=service-totals]", "心理服务 1 次").await?;

            // The visit becomes a case.
            b.click("[data-testid=register-from-visit]").await?;
            b.wait("[data-testid=intake-form]").await?;
            // The form fills itself once the visit is read.
            let mut filled = (String::new(), String::new(), String::new());
            for _ in 0..50 {
                filled = b
                    .eval("return [document.querySelector('input[name=\"parties[0].name\"]').value, document.querySelector('input[name=\"parties[0].phone\"]').value, document.querySelector('select[name=kind]').value];")
                    .await?;
                if !filled.0.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if filled != ("王五".to_owned(), "13700001111".to_owned(), "petition".to_owned()) {
                return Err(format!("the intake form holds {filled:?}").into());
            }
            b.choose("select[name=category]", "land_forest").await?;
            b.choose("select[name=village_id]", &fx.villages[0].to_string()).await?;
            b.fill("input[name=summary]", "六户村民反映征地补偿款未兑现").await?;
            b.click("[data-testid=submit-case]").await?;
            let code = b.text("[data-testid=receipt-code]").await?.trim().to_owned();
            b.goto("/logs").await?;
            b.wait_text("[data-testid=visit-row]", &code).await?;
            if b.count("[data-testid=register-from-visit]").await? != 0 {
                return Err("the registered visit still offers to register".into());
            }
            b.resize(768, 1024).await?;
            b.screenshot("logs-768").await?;
            b.resize(1280, 800).await?;
            sign_out(&b).await?;

            // The lead's dashboard counts the logs beside the cases, and links to them.
            sign_in(&b, "lead").await?;
            b.goto("/dashboard").await?;
            b.wait_text("[data-testid=sub-logged-visitors]", "来访登记 6 人次").await?;
            b.wait_text("[data-testid=sub-logged-services]", "服务记录另有 1 次").await?;
            b.eval::<()>("document.querySelector('[data-testid=tile-services]').scrollIntoView({block: 'center'});")
                .await?;
            b.screenshot("dashboard-logs-1280").await?;
            b.click("[data-testid=sub-logged-visitors]").await?;
            b.wait("[data-testid=visit-row][data-group=true]").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// A PNG of `w` × `h` pixels (a gradient, so it does not compress to nothing), as a phone's
/// camera would hand the browser a large photo.
fn test_png(w: u32, h: u32) -> Vec<u8> {
    use std::io::Write as _;
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend_from_slice(&[(x % 256) as u8, (y % 256) as u8, ((x * y) % 251) as u8]);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A grid worker on a 360 × 640 phone: lands on their grid (their units, their units' open
/// cases and nothing else), logs a visit with a large photo (made small in the browser),
/// loses the network as they send (the visit waits on the phone, survives a reload, and goes
/// by itself when the network returns), and reports the matter: the lead sees the case on the
/// board, registered from the grid.
#[tokio::test]
async fn a_grid_worker_on_a_phone_logs_a_visit_with_a_photo_offline_and_the_lead_sees_the_report() {
    let server = TestServer::start().await;
    // An open case in the worker's area, and one elsewhere that their grid does not show.
    let app = server.app();
    let lead_cookie = app.login("lead").await;
    let mine = app.register(&lead_cookie, &app.sample_case()).await;
    let mut elsewhere = app.sample_case();
    elsewhere.village_id = server.fixture.villages[1];
    elsewhere.area_id = None;
    elsewhere.group_id = None;
    let elsewhere = app.register(&lead_cookie, &elsewhere).await;
    // The group's household list holds the open case's applicant.
    app.post_json(
        &format!(
            "/api/roster/units/{}/household-list",
            server.fixture.groups[0][0][0]
        ),
        Some(&lead_cookie),
        &shared::grid::HouseholdForm {
            head: "张三".into(),
            address: "渠口村一片一组 3 号".into(),
            phone: Some("13812345678".into()),
            members: Some(3),
            note: String::new(),
        },
    )
    .await
    .expect_status(201);
    let photo = std::env::temp_dir().join(format!("concord-visit-{}.png", std::process::id()));
    std::fs::write(&photo, test_png(2400, 1800)).unwrap_or_else(|e| panic!("{e}"));
    let photo_path = photo.display().to_string();
    let browser = match Browser::start(&server.base_url, 360, 640, true).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("grid_phone", browser, |b| async move {
        let result = async {
            b.goto("/login").await?;
            chinese(&b).await?;
            b.fill("input[name=username]", "grid").await?;
            b.fill("input[name=password]", PASSWORD).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=grid-visit-form]").await?;
            b.wait_text("[data-testid=grid-units]", "渠口村一片").await?;
            b.wait(&format!("[data-testid=grid-case][data-code=\"{}\"]", mine.code)).await?;
            if b.count(&format!("[data-testid=grid-case][data-code=\"{}\"]", elsewhere.code)).await? != 0 {
                return Err("another village's case is on the worker's grid".into());
            }
            b.expect_accessible("the grid worker's phone page").await?;
            // Nothing on the page is wider than the phone.
            let wide: Vec<String> = b
                .eval("const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 1 || r.left < -1) && !e.closest('.main-nav'); }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));")
                .await?;
            if !wide.is_empty() {
                return Err(format!("wider than the phone: {wide:?}").into());
            }
            b.screenshot("grid-phone-360").await?;

            // Sending with nothing found is refused by field, on the phone.
            b.fill("#grid-place", "渠口村一片 5 号户").await?;
            b.click("[data-testid=grid-send]").await?;
            b.wait_text("[data-testid=error-tags]", "必填").await?;

            // A household chosen from the list fills the visit in, and the repeat check finds
            // the open case of the same phone (masked for a grid worker: its code).
            b.click("[data-testid=grid-households] summary").await?;
            b.click("[data-testid=household-pick]").await?;
            let picked: (String, String) = b
                .eval("return [document.querySelector('#grid-met').value, document.querySelector('#grid-place').value];")
                .await?;
            if picked != ("张三".to_owned(), "渠口村一片一组 3 号".to_owned()) {
                return Err(format!("choosing the household filled in {picked:?}").into());
            }
            b.wait(&format!("[data-testid=repeat-match][data-code=\"{}\"]", mine.code)).await?;
            b.screenshot("grid-phone-repeat-360").await?;
            b.fill("#grid-met", "王大山").await?;
            b.fill("#grid-phone", "13600002222").await?;
            b.fill("#grid-place", "渠口村一片 5 号户").await?;
            b.click("[data-testid=grid-tag-dispute] input").await?;
            b.fill("#grid-findings", "王大山反映邻居堵塞排水沟,雨天院内积水。").await?;
            b.click("[data-testid=grid-outcome-reported] input").await?;
            b.wait("[data-testid=grid-matter]").await?;
            b.choose("#grid-category", "neighbour").await?;
            b.fill("#grid-summary", "走访发现排水沟堵塞纠纷").await?;
            b.fill("#grid-respondent", "李四").await?;
            b.wait("#grid-photo").await?.send_keys(&photo_path).await?;
            b.wait_text("[data-testid=grid-photo-note]", "KB").await?;
            b.wait("[data-testid=grid-photo-preview]").await?;
            b.screenshot("grid-phone-form-360").await?;
            b.eval::<()>("document.querySelector('[data-testid=grid-outcome-reported]').scrollIntoView({block: 'center'});")
                .await?;
            b.screenshot("grid-phone-outcome-360").await?;

            // The network drops as they send: the visit waits on the phone.
            b.network(Network::Offline).await?;
            b.click("[data-testid=grid-send]").await?;
            b.wait("[data-testid=grid-waiting]").await?;
            b.screenshot("grid-phone-offline-360").await?;
            // A reload (the browser killed in the pocket) finds it still there. (The visits'
            // address stays blocked meanwhile: the page would send it as soon as the line is
            // back.)
            b.block_urls(&["*/api/grid/visits"]).await?;
            b.network(Network::Online).await?;
            b.goto("/grid").await?;
            b.wait("[data-testid=grid-waiting]").await?;
            let kept: (String, String) = b
                .eval("return [document.querySelector('#grid-summary').value, document.querySelector('#grid-met').value];")
                .await?;
            if kept != ("走访发现排水沟堵塞纠纷".to_owned(), "王大山".to_owned()) {
                return Err(format!("after a reload the form holds {kept:?}").into());
            }
            // The network returns: the visit goes by itself.
            b.block_urls(&[]).await?;
            b.wait_text("[data-testid=notice]", "已上报中心").await?;
            b.wait_gone("[data-testid=grid-waiting]").await?;
            b.wait("[data-testid=grid-visit][data-outcome=reported]").await?;
            let notice = b.text("[data-testid=notice]").await?;
            let code = notice
                .split_whitespace()
                .find(|w| w.contains('-') && w.len() >= 10)
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>();
            if code.is_empty() {
                return Err(format!("no case code in `{notice}`").into());
            }
            // The form is empty for the next visit.
            let cleared: String = b.eval("return document.querySelector('#grid-place').value;").await?;
            if !cleared.is_empty() {
                return Err(format!("the form still holds `{cleared}`").into());
            }
            b.screenshot("grid-phone-sent-360").await?;
            // The same page on a tablet, either way round.
            b.resize(1024, 768).await?;
            b.screenshot("grid-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("grid-768").await?;
            b.resize(360, 640).await?;
            b.click("[data-testid=logout]").await?;
            b.wait("[data-testid=login-form]").await?;

            // The lead sees the report on the board.
            b.resize(1280, 800).await?;
            sign_in(&b, "lead").await?;
            b.wait(&format!("[data-code=\"{code}\"]")).await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
    let _ = std::fs::remove_file(&photo);
    // One visit stored, with its photo small enough, and the case it reported.
    let visits: shared::grid::GridVisits =
        app.get("/api/grid/visits", Some(&lead_cookie)).await.json();
    assert_eq!(visits.items.len(), 1);
    assert!(visits.items[0].has_photo);
    let res = app
        .get(
            &format!("/api/grid/visits/{}/photo", visits.items[0].id),
            Some(&lead_cookie),
        )
        .await;
    res.expect_status(200);
    assert!(res.body.len() <= shared::grid::PHOTO_MAX_BYTES && res.body.starts_with(&[0xFF, 0xD8]));
}

/// The lead on the roster: the grid's tree with its gaps, a gap filled from today (and the
/// roster's counts follow), the mediator roster with qualities, an edit and a training.
#[tokio::test]
async fn the_lead_fills_a_gap_on_the_grid_roster_and_records_a_mediators_training() {
    let server = TestServer::start().await;
    let fx = server.fixture.clone();
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("roster", browser, |b| async move {
        let result = async {
            sign_in(&b, "lead").await?;
            b.click("[data-testid=nav-roster]").await?;
            b.wait("[data-testid=grid-roster]").await?;
            b.wait_text("[data-testid=roster-totals]", "空缺 12 个")
                .await?;
            b.expect_accessible("the grid roster").await?;
            b.screenshot("roster-grid-1280").await?;
            let group = fx.groups[0][0][0];
            let row = format!("[data-testid=roster-unit][data-unit=\"{group}\"]");
            b.click(&format!("{row} [data-testid=assign-open]")).await?;
            b.choose(
                &format!("{row} [data-testid=assign-user]"),
                &fx.grid.to_string(),
            )
            .await?;
            b.click(&format!("{row} [data-testid=assign-save]")).await?;
            b.wait_text("[data-testid=roster-totals]", "空缺 11 个")
                .await?;
            b.wait_text(&format!("{row} [data-testid=cover]"), "陈网格")
                .await?;
            // Households recorded.
            b.fill(&format!("{row} [data-testid=households]"), "42")
                .await?;
            b.click(&format!("{row} [data-testid=households-save]"))
                .await?;
            b.wait_text("[data-testid=roster-totals]", "登记户数 42 户")
                .await?;
            // The group's household list: one added.
            b.click(&format!("{row} [data-testid=unit-households] summary"))
                .await?;
            b.fill(&format!("{row} [data-testid=household-head]"), "王大山")
                .await?;
            b.fill(
                &format!("{row} [data-testid=household-address]"),
                "渠口村一片一组 5 号",
            )
            .await?;
            b.fill(&format!("{row} [data-testid=household-phone]"), "1360000")
                .await?;
            b.click(&format!("{row} [data-testid=household-add]"))
                .await?;
            b.wait_text("[data-testid=error-household-phone]", "手机")
                .await?;
            b.fill(
                &format!("{row} [data-testid=household-phone]"),
                "13600002222",
            )
            .await?;
            b.click(&format!("{row} [data-testid=household-add]"))
                .await?;
            b.wait_text(&format!("{row} [data-testid=household]"), "王大山")
                .await?;
            b.expect_accessible("a unit's household list").await?;
            b.screenshot("roster-households-1280").await?;
            // Only the gaps.
            b.click("[data-testid=only-gaps]").await?;
            if b.count("[data-testid=roster-unit][data-gap=false]").await? != 0 {
                return Err("covered units are shown among the gaps".into());
            }
            b.resize(768, 1024).await?;
            b.screenshot("roster-grid-768").await?;
            b.resize(1024, 768).await?;
            b.screenshot("roster-grid-1024").await?;
            b.resize(1280, 800).await?;

            // The mediators.
            b.click("[data-testid=tab-people]").await?;
            b.wait("[data-testid=person][data-name=张调解]").await?;
            let card = "[data-testid=person][data-name=张调解]";
            b.click(&format!("{card} [data-testid=person-edit]"))
                .await?;
            b.click(&format!("{card} [data-testid=quality-prestige]"))
                .await?;
            b.click(&format!("{card} [data-testid=person-save]"))
                .await?;
            b.wait(&format!("{card} .quality[data-has=true]")).await?;
            b.click(&format!("{card} [data-testid=training-add]"))
                .await?;
            b.fill(
                &format!("{card} [data-testid=training-title]"),
                "《人民调解法》专题培训",
            )
            .await?;
            b.fill(&format!("{card} [data-testid=training-hours]"), "300")
                .await?;
            b.click(&format!("{card} [data-testid=training-save]"))
                .await?;
            b.wait_text("[data-testid=error-training-hours]", "200")
                .await?;
            b.fill(&format!("{card} [data-testid=training-hours]"), "8")
                .await?;
            b.click(&format!("{card} [data-testid=training-save]"))
                .await?;
            b.wait_text(&format!("{card} [data-testid=trainings]"), "共 8 学时")
                .await?;
            // A legal helper added.
            b.click("[data-testid=person-add]").await?;
            b.fill(
                "[data-testid=person-form] [data-testid=person-name]",
                "钱明白",
            )
            .await?;
            b.click("[data-testid=person-form] [data-testid=specialty-marriage_family]")
                .await?;
            b.click("[data-testid=person-form] [data-testid=person-save]")
                .await?;
            b.wait("[data-testid=person][data-name=钱明白][data-kind=legal_helper]")
                .await?;
            b.expect_accessible("the mediator roster").await?;
            b.screenshot("roster-people-1280").await?;
            b.resize(768, 1024).await?;
            b.screenshot("roster-people-768").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

/// The administrator creates a clerk's account and hands over the one-time password; the clerk
/// signs in, is sent to set their own password (a common one refused by name), and then works;
/// the audit log shows both.
#[tokio::test]
async fn the_administrator_creates_an_account_and_its_owner_sets_their_own_password() {
    let server = TestServer::start().await;
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("accounts", browser, |b| async move {
        let result = async {
            b.goto("/login").await?;
            chinese(&b).await?;
            b.fill("input[name=username]", "admin").await?;
            b.fill("input[name=password]", PASSWORD).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=board]").await?;
            b.click("[data-testid=nav-accounts]").await?;
            b.wait("[data-testid=accounts]").await?;
            b.click("[data-testid=account-new]").await?;
            b.fill(
                "[data-testid=account-form] [data-testid=account-username]",
                "Qian Clerk",
            )
            .await?;
            b.fill(
                "[data-testid=account-form] [data-testid=account-name]",
                "钱受理",
            )
            .await?;
            b.click("[data-testid=account-form] [data-testid=account-save]")
                .await?;
            b.wait_text("[data-testid=error-account-new-username]", "小写字母")
                .await?;
            b.fill(
                "[data-testid=account-form] [data-testid=account-username]",
                "qian.clerk",
            )
            .await?;
            b.click("[data-testid=account-form] [data-testid=account-save]")
                .await?;
            let password = b
                .text("[data-testid=issued-password]")
                .await?
                .trim()
                .to_owned();
            if password.len() != 12 {
                return Err(format!("the one-time password reads `{password}`").into());
            }
            b.wait("[data-testid=account][data-username=\"qian.clerk\"] [data-testid=must-change]")
                .await?;
            b.expect_accessible("the accounts page").await?;
            b.screenshot("accounts-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("accounts-1024").await?;
            b.resize(1280, 800).await?;
            sign_out(&b).await?;

            // The clerk: straight to their own password.
            b.fill("input[name=username]", "qian.clerk").await?;
            b.fill("input[name=password]", &password).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=must-change-banner]").await?;
            b.goto("/board").await?;
            b.wait("[data-testid=must-change-banner]").await?;
            b.fill("#password-current", &password).await?;
            b.fill("#password-new", "1234567890").await?;
            b.fill("#password-again", "1234567890").await?;
            b.click("[data-testid=password-save]").await?;
            b.wait_text("[data-testid=error-new_password]", "常见")
                .await?;
            b.expect_accessible("the password page").await?;
            b.screenshot("password-1280").await?;
            b.resize(768, 1024).await?;
            b.screenshot("password-768").await?;
            b.resize(1280, 800).await?;
            b.fill("#password-new", "河西走廊的风很大2026").await?;
            b.fill("#password-again", "河西走廊的风很大2026").await?;
            b.click("[data-testid=password-save]").await?;
            b.wait("[data-testid=board]").await?;
            sign_out(&b).await?;

            // The audit log.
            b.fill("input[name=username]", "admin").await?;
            b.fill("input[name=password]", PASSWORD).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=board]").await?;
            b.goto("/admin/audit").await?;
            b.wait("[data-testid=audit-entry][data-action=\"account.create\"]")
                .await?;
            b.wait("[data-testid=audit-entry][data-action=\"password.change\"]")
                .await?;
            b.expect_accessible("the audit log").await?;
            b.screenshot("audit-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("audit-1024").await?;
            b.goto("/admin/accounts").await?;
            b.wait("[data-testid=accounts]").await?;

            // A county department: no town, and the categories of its line.
            b.resize(1280, 800).await?;
            b.click("[data-testid=account-new]").await?;
            b.fill(
                "[data-testid=account-form] [data-testid=account-username]",
                "county.market",
            )
            .await?;
            b.fill(
                "[data-testid=account-form] [data-testid=account-name]",
                "县市场监管局",
            )
            .await?;
            b.choose(
                "[data-testid=account-form] [data-testid=account-role]",
                "county_department",
            )
            .await?;
            b.click("[data-testid=account-form] [data-testid=account-save]")
                .await?;
            b.wait_text("[data-testid=error-account-new-line]", "至少要分管一类")
                .await?;
            b.click("[data-testid=account-line-consumer] input").await?;
            b.click("[data-testid=account-line-medical] input").await?;
            b.expect_accessible("a county department's account form")
                .await?;
            b.screenshot("accounts-county-department-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("accounts-county-department-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("accounts-county-department-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=account-form] [data-testid=account-save]")
                .await?;
            b.wait_text(
                "[data-testid=account][data-username=\"county.market\"]",
                "消费、医疗",
            )
            .await?;
            b.resize(768, 1024).await?;
            b.screenshot("accounts-768").await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

#[tokio::test]
async fn a_county_officer_sees_two_towns_and_a_lead_transfers_a_case_to_the_other() {
    let server = TestServer::start().await;
    let app = server.app();
    let (lead, lead_b) = (app.login("lead").await, app.login("lead_b").await);
    let escalated = app.register(&lead, &app.sample_case()).await;
    let moving = app.register(&lead, &app.sample_case()).await;
    let mut in_b = app.sample_case();
    in_b.village_id = app.fixture.village_b;
    in_b.area_id = None;
    in_b.group_id = None;
    in_b.summary = "柳园村承包地边界纠纷".into();
    let b_case = app.register(&lead_b, &in_b).await;
    // A wage claim in town B: the labour department's line.
    in_b.category = shared::model::Category::Labour;
    in_b.summary = "张三在砖厂被拖欠工资".into();
    let wage_b = app.register(&lead_b, &in_b).await;
    app.post_json(
        &format!("/api/cases/{}/county-escalation", escalated.id),
        Some(&lead),
        &shared::county::CountyText {
            text: "涉及县直多个部门,请县级协调".into(),
        },
    )
    .await
    .expect_status(201);
    let village_b = app.fixture.village_b.to_string();
    let town_b = app.fixture.town_b.to_string();
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("county", browser, |b| async move {
        let result = async {
            // The county officer: both towns on one board, each card naming its town.
            sign_in(&b, "county").await?;
            b.wait(&format!("[data-testid=card-{}]", b_case.code))
                .await?;
            b.wait_text(
                &format!("[data-testid=card-{}] [data-testid=card-town]", b_case.code),
                "柳园镇",
            )
            .await?;
            b.wait_text(
                &format!("[data-testid=card-{}] [data-testid=card-town]", moving.code),
                "瓜州镇",
            )
            .await?;
            b.wait(&format!(
                "[data-testid=card-{}] [data-testid=card-county]",
                escalated.code
            ))
            .await?;
            if b.count("[data-testid=nav-cases]").await? != 0 {
                return Err("the county officer is offered a town's case list".into());
            }
            b.expect_accessible("the county board").await?;
            b.screenshot("county-board-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("county-board-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("county-board-768").await?;
            b.resize(1280, 800).await?;
            // One town alone.
            b.choose("#filter-town", &town_b).await?;
            b.wait_gone(&format!("[data-testid=card-{}]", moving.code))
                .await?;
            b.wait(&format!("[data-testid=card-{}]", b_case.code))
                .await?;
            // The dashboard by town; its waiting escalation opens the board filtered to it.
            b.click("[data-testid=nav-county]").await?;
            b.wait_text("[data-testid=county-total]", "4").await?;
            if b.count("[data-testid=county-town]").await? != 2 {
                return Err("the dashboard does not list two towns".into());
            }
            // A town's figures: the town's own dashboard, chosen at the top.
            b.click(&format!(
                "[data-testid=county-town][data-town=\"{town_b}\"] [data-testid=county-figures]"
            ))
            .await?;
            b.wait_text("[data-testid=tile-received]", "2").await?;
            b.expect_accessible("a town's figures read by the county")
                .await?;
            b.screenshot("county-town-figures-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("county-town-figures-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("county-town-figures-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=nav-county]").await?;
            b.wait_text("[data-testid=county-total]", "4").await?;
            b.expect_accessible("the county dashboard").await?;
            b.screenshot("county-dashboard-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("county-dashboard-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("county-dashboard-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=county-waiting]").await?;
            b.wait(&format!("[data-testid=card-{}]", escalated.code))
                .await?;
            b.wait_gone(&format!("[data-testid=card-{}]", moving.code))
                .await?;
            // The county's instruction, on the case page (parties masked).
            b.goto(&format!("/cases/{}", escalated.id)).await?;
            b.wait_text("[data-testid=case-town]", "瓜州镇").await?;
            b.click("[data-testid=instruct-form] button[type=submit]")
                .await?;
            b.wait_text("[data-testid=error-instruct-form-text]", "必填")
                .await?;
            b.fill("#instruct-text", "请县司法局牵头,三日内召开联席会议。")
                .await?;
            b.click("[data-testid=instruct-form] button[type=submit]")
                .await?;
            b.wait_text("[data-testid=instruction]", "县司法局牵头")
                .await?;
            b.expect_accessible("a case page read by the county")
                .await?;
            b.screenshot("county-case-1280").await?;
            sign_out(&b).await?;

            // The county's labour department: every town's wage claims, and nothing else.
            sign_in(&b, "county_hr").await?;
            b.wait(&format!("[data-testid=card-{}]", wage_b.code))
                .await?;
            b.wait_text(
                &format!("[data-testid=card-{}]", wage_b.code),
                "张某在砖厂被拖欠工资",
            )
            .await?;
            for other in [&b_case.code, &moving.code, &escalated.code] {
                if b.count(&format!("[data-testid=card-{other}]")).await? != 0 {
                    return Err(format!("the labour department sees {other}").into());
                }
            }
            b.expect_accessible("a county department's board").await?;
            b.screenshot("county-department-board-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("county-department-board-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("county-department-board-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=nav-county]").await?;
            b.wait_text("[data-testid=county-line]", "劳动争议").await?;
            b.wait_text("[data-testid=county-total]", "1").await?;
            if b.count("[data-testid=county-figures]").await? != 0 {
                return Err("a county department is offered a town's whole figures".into());
            }
            b.expect_accessible("a county department's dashboard")
                .await?;
            b.screenshot("county-department-dashboard-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("county-department-dashboard-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("county-department-dashboard-768").await?;
            b.resize(1280, 800).await?;
            sign_out(&b).await?;

            // The lead transfers the other case to 柳园镇.
            sign_in(&b, "lead").await?;
            b.goto(&format!("/cases/{}", moving.id)).await?;
            b.click("[data-testid=open-transfer]").await?;
            b.click("[data-testid=transfer]").await?;
            b.wait_text("[data-testid=error-transfer-village_id]", "必填")
                .await?;
            b.choose("#transfer-town", &town_b).await?;
            b.choose("#transfer-village", &village_b).await?;
            b.fill("#transfer-reason", "当事人户籍及争议土地均在柳园镇")
                .await?;
            b.expect_accessible("the transfer form").await?;
            b.screenshot("transfer-1280").await?;
            b.resize(768, 1024).await?;
            b.screenshot("transfer-768").await?;
            b.resize(1280, 800).await?;
            b.click("[data-testid=transfer]").await?;
            b.wait("[data-testid=board]").await?;
            b.wait_gone(&format!("[data-testid=card-{}]", moving.code))
                .await?;
            sign_out(&b).await?;
            sign_in(&b, "lead_b").await?;
            b.wait(&format!("[data-testid=card-{}]", moving.code))
                .await?;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

#[tokio::test]
async fn the_administrator_sets_up_a_town_from_nothing_and_its_lead_registers_the_first_case() {
    let server = TestServer::start().await;
    let county = server.fixture.county;
    let dir = std::env::temp_dir().join(format!("concord-setup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.join("bad.csv");
    let good = dir.join("good.csv");
    std::fs::write(
        &bad,
        "乡镇,村,片,代码\n三道沟镇,,一片,\n三道沟镇,三道沟村,,SD\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Saved by Excel on a Chinese system: GBK, not UTF-8.
    std::fs::write(
        &good,
        [
            &b"\xcf\xe7\xd5\xf2,\xb4\xe5,\xb4\xfa\xc2\xeb\n"[..], // 乡镇,村,代码
            &b"\xc8\xfd\xb5\xc0\xb9\xb5\xd5\xf2,\xc8\xfd\xb5\xc0\xb9\xb5\xb4\xe5,SD\n"[..], // 三道沟镇,三道沟村,SD
            &b"\xc8\xfd\xb5\xc0\xb9\xb5\xd5\xf2,\xd0\xc2\xb8\xfb\xb4\xe5,\n"[..], // 三道沟镇,新耕村,
        ]
        .concat(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (bad, good) = (bad.display().to_string(), good.display().to_string());
    let browser = match Browser::start(&server.base_url, 1280, 800, false).await {
        Ok(b) => b,
        Err(e) => panic!("could not start the browser: {e}"),
    };
    scenario("setup", browser, |b| async move {
        let result = async {
            sign_in(&b, "admin").await?;
            b.click("[data-testid=nav-setup]").await?;
            b.wait("[data-testid=org-tree]").await?;
            // A sheet with a bad row: named, nothing imported.
            b.wait("#import-file").await?.send_keys(&bad).await?;
            b.wait("[data-testid=import-preview][data-ok=false]").await?;
            b.wait_text("[data-testid=import-error][data-line=\"2\"]", "村")
                .await?;
            if b.count("[data-testid=import-commit]").await? != 0 {
                return Err("a sheet with errors may be imported".into());
            }
            b.expect_accessible("the set-up page with a refused sheet").await?;
            b.screenshot("setup-errors-1280").await?;
            // The good one (GBK) previews, then imports.
            b.wait("#import-file").await?.send_keys(&good).await?;
            b.wait("[data-testid=import-preview][data-ok=true]").await?;
            b.wait_text("[data-testid=import-preview]", "新增乡镇 1、村 2")
                .await?;
            b.click("[data-testid=import-commit]").await?;
            b.wait("[data-testid=org-unit][data-name=\"新耕村\"]").await?;
            // One more village typed in, under the new town.
            b.click("[data-testid=org-unit][data-name=\"三道沟镇\"] > .org-row [data-testid=org-add]")
                .await?;
            b.click("[data-testid=unit-save]").await?;
            b.wait_text("[data-testid=error-unit-name]", "必填").await?;
            b.fill("[data-testid=unit-name]", "三道沟村").await?;
            b.click("[data-testid=unit-save]").await?;
            b.wait_text("[data-testid=error-unit-name]", "重复").await?;
            b.fill("[data-testid=unit-name]", "东湖村").await?;
            b.click("[data-testid=unit-save]").await?;
            b.wait("[data-testid=org-unit][data-name=\"东湖村\"]").await?;
            // Its judicial office.
            let town: i64 = b
                .eval("return Number(document.querySelector('#department-town option:last-child').value);")
                .await?;
            b.choose("#department-town", &town.to_string()).await?;
            b.fill("[data-testid=department-new] [data-testid=department-name]", "司法所")
                .await?;
            b.fill("[data-testid=department-new] [data-testid=department-days]", "0")
                .await?;
            b.click("[data-testid=department-new] [data-testid=department-save]")
                .await?;
            b.wait_text("[data-testid=error-department-new-response_days]", "1")
                .await?;
            b.fill("[data-testid=department-new] [data-testid=department-days]", "5")
                .await?;
            b.click("[data-testid=department-new] [data-testid=department-save]")
                .await?;
            b.wait("[data-testid=department][data-name=\"司法所\"]").await?;
            // Its center's address and phone (the name it started with is loaded first).
            let mut loaded = false;
            for _ in 0..50 {
                loaded = b
                    .eval("return document.querySelector('[data-testid=center-name]').value.includes('三道沟镇');")
                    .await?;
                if loaded {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if !loaded {
                return Err("the new town's center did not load".into());
            }
            b.fill("[data-testid=center-address]", "瓜州县三道沟镇政府路 2 号").await?;
            b.fill("[data-testid=center-phone]", "0937-557 0001 转 3").await?;
            b.click("[data-testid=center-save]").await?;
            b.wait_text("[data-testid=error-center-phone]", "电话").await?;
            b.fill("[data-testid=center-phone]", "0937-5570001").await?;
            b.click("[data-testid=center-save]").await?;
            b.wait_gone("[data-testid=error-center-phone]:not([hidden])").await?;
            b.expect_accessible("the set-up page").await?;
            b.screenshot("setup-1280").await?;
            b.resize(1024, 768).await?;
            b.screenshot("setup-1024").await?;
            b.resize(768, 1024).await?;
            b.screenshot("setup-768").await?;
            b.resize(1280, 800).await?;
            // The neighbour category renamed for new cases; the clocks beside it.
            let neighbour = "[data-testid=category][data-category=neighbour]";
            b.fill(&format!("{neighbour} [data-testid=category-zh]"), "邻里关系纠纷")
                .await?;
            b.click(&format!("{neighbour} [data-testid=category-save]"))
                .await?;
            b.wait_text("[data-testid=notice]", "类别已保存").await?;
            let _: bool = b
                .eval("document.querySelector('[data-testid=clocks]').scrollIntoView(); return true;")
                .await?;
            b.screenshot("setup-clocks-1280").await?;
            let _: bool = b
                .eval("document.querySelector('[data-testid=categories]').scrollIntoView(); return true;")
                .await?;
            b.screenshot("setup-categories-1280").await?;

            // Its first account: the center lead.
            b.click("[data-testid=nav-accounts]").await?;
            b.click("[data-testid=account-new]").await?;
            b.fill("[data-testid=account-form] [data-testid=account-username]", "lead.sd")
                .await?;
            b.fill("[data-testid=account-form] [data-testid=account-name]", "田主任")
                .await?;
            b.choose("[data-testid=account-form] [data-testid=account-role]", "lead")
                .await?;
            b.choose("[data-testid=account-form] [data-testid=account-town]", &town.to_string())
                .await?;
            b.click("[data-testid=account-form] [data-testid=account-save]")
                .await?;
            let password = b
                .text("[data-testid=issued-password]")
                .await?
                .trim()
                .to_owned();
            sign_out(&b).await?;

            // The lead sets a password and registers the town's first case.
            b.fill("input[name=username]", "lead.sd").await?;
            b.fill("input[name=password]", &password).await?;
            b.click("[data-testid=login-submit]").await?;
            b.wait("[data-testid=must-change-banner]").await?;
            b.fill("#password-current", &password).await?;
            b.fill("#password-new", "三道沟的春天来得晚2026").await?;
            b.fill("#password-again", "三道沟的春天来得晚2026").await?;
            b.click("[data-testid=password-save]").await?;
            b.wait("[data-testid=board]").await?;
            b.goto("/cases/new").await?;
            b.wait("[data-testid=intake-form]").await?;
            let village: i64 = b
                .eval("const o = [...document.querySelectorAll('select[name=village_id] option')].find(o => o.textContent.includes('东湖村')); return o ? Number(o.value) : 0;")
                .await?;
            if village == 0 {
                return Err("the new village is not offered at intake".into());
            }
            b.choose("select[name=kind]", "dispute").await?;
            b.choose("select[name=category]", "neighbour").await?;
            b.choose("select[name=channel]", "window").await?;
            b.choose("select[name=village_id]", &village.to_string()).await?;
            b.fill("input[name=\"parties[0].name\"]", "田小禾").await?;
            b.fill("input[name=\"parties[0].phone\"]", "13912345678").await?;
            b.fill("input[name=summary]", "东湖村宅基地界址纠纷").await?;
            b.fill("textarea[name=facts]", "两户对宅基地界址有争议。").await?;
            b.click("[data-testid=submit-case]").await?;
            b.wait_text("[data-testid=receipt-center]", "三道沟镇综治中心").await?;
            b.wait_text("[data-testid=receipt]", "邻里关系纠纷").await?;
            b.wait_text("[data-testid=receipt-contact]", "0937-5570001").await?;
            b.goto("/board").await?;
            b.wait_text("[data-testid=board]", "东湖村宅基地界址纠纷").await?;
            let _ = county;
            Ok(())
        }
        .await;
        (b, result)
    })
    .await;
}

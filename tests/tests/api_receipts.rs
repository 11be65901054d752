//! The intake receipt: the town's center, the expected date, the look-up address and its QR
//! code; a matter with no applicant phone gets a query code that the look-up accepts.

use concord_tests::TestApp;
use shared::api::{CaseReceipt, PublicStatus, StatusLookup};
use shared::model::PartySide;

#[tokio::test]
async fn the_receipt_names_the_towns_center_the_due_date_and_the_lookup() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let res = app
        .get(&format!("/api/cases/{}/receipt", case.id), Some(&clerk))
        .await;
    res.expect_status(200);
    let receipt: CaseReceipt = res.json();
    assert_eq!(receipt.code, case.code);
    let center = receipt.center.unwrap_or_else(|| panic!("no center"));
    assert_eq!(center.name, "瓜州镇综治中心");
    assert_eq!(center.phone, "0937-5512345");
    assert_eq!(receipt.due_on, Some(case.due_on));
    assert!(
        receipt
            .lookup_url
            .ends_with(&format!("/status?code={}", case.code)),
        "{}",
        receipt.lookup_url
    );
    // The applicant gave a phone: its last four digits are the key, no query code.
    assert_eq!(receipt.query_code, None);

    // The other town's lead sees neither the receipt nor its QR code.
    let other = app.login("lead_b").await;
    for path in ["receipt", "qr.svg"] {
        app.get(&format!("/api/cases/{}/{path}", case.id), Some(&other))
            .await
            .expect_status(404);
        app.get(&format!("/api/cases/{}/{path}", case.id), None)
            .await
            .expect_status(401);
    }
}

#[tokio::test]
async fn the_qr_code_is_an_svg_of_the_public_address() {
    let app =
        TestApp::with_config(|c| c.public_url = Some("https://zz.example.gov.cn".into())).await;
    let clerk = app.login("clerk").await;
    let case = app.register(&clerk, &app.sample_case()).await;
    let receipt: CaseReceipt = app
        .get(&format!("/api/cases/{}/receipt", case.id), Some(&clerk))
        .await
        .json();
    assert_eq!(
        receipt.lookup_url,
        format!("https://zz.example.gov.cn/status?code={}", case.code)
    );
    let res = app
        .get(&format!("/api/cases/{}/qr.svg", case.id), Some(&clerk))
        .await;
    res.expect_status(200);
    let ct = res
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    assert_eq!(ct, Some("image/svg+xml"));
    let svg = res.text();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    // Decoding the image is out of reach here; the same encoder on the same address gives
    // the same picture.
    let expected = qrcode::QrCode::new(receipt.lookup_url.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    assert_eq!(svg, expected);
}

#[tokio::test]
async fn a_matter_without_an_applicant_phone_gets_a_query_code_that_looks_it_up() {
    let app = TestApp::new().await;
    let clerk = app.login("clerk").await;
    let mut form = app.sample_case();
    for party in &mut form.parties {
        if party.side == PartySide::Applicant {
            party.phone = None;
        }
    }
    let case = app.register(&clerk, &form).await;
    let receipt: CaseReceipt = app
        .get(&format!("/api/cases/{}/receipt", case.id), Some(&clerk))
        .await
        .json();
    let query = receipt
        .query_code
        .unwrap_or_else(|| panic!("no query code for a matter without an applicant phone"));
    assert!(
        query.len() == 4 && query.bytes().all(|b| b.is_ascii_digit()),
        "{query}"
    );
    let res = app
        .post_json(
            "/api/public/status",
            None,
            &StatusLookup {
                code: case.code.clone(),
                phone_last4: query.clone(),
            },
        )
        .await;
    res.expect_status(200);
    let status: PublicStatus = res.json();
    assert_eq!(status.code, case.code);
    // The respondent's phone is still no key.
    let res = app
        .post_json(
            "/api/public/status",
            None,
            &StatusLookup {
                code: case.code.clone(),
                phone_last4: "4321".into(),
            },
        )
        .await;
    res.expect_status(404);
}

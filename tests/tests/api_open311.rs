//! Open311 GeoReport v2 (`/open311`): discovery, the service list and definitions, posting a
//! request with an API key the administrator issued (and revoked), the request by id, the list
//! with its filters and limits, and tokens — each in JSON and in XML, each error case with the
//! specification's status and error list, and the answers' shapes against the
//! specification's own examples.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{Method, Request};
use concord_tests::{TestApp, TestResponse, join_all};
use quick_xml::events::Event;
use serde_json::Value;
use shared::api::{IssueOpen311Client, IssuedOpen311Client, NotificationList, Open311Client};
use shared::model::{Channel, HandlerRef, NotificationKind, Outcome, Stage};
use shared::workflow::Command;

const FORM: &str = "application/x-www-form-urlencoded";

/// A request's form fields, in order.
type Pairs = Vec<(&'static str, String)>;

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// Every element of an XML document by its path (`service_requests/request/status`), with its
/// text, in document order. Panics on a document that is not well-formed.
fn xml_paths(xml: &str) -> Vec<(String, String)> {
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
        "no XML declaration: {xml}"
    );
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_owned();
                let path = match stack.last() {
                    Some((p, _)) => format!("{p}/{name}"),
                    None => name,
                };
                out.push((path.clone(), String::new()));
                stack.push((path, out.len() - 1));
            }
            Ok(Event::Empty(e)) => {
                let name = e.name().as_ref().to_owned();
                let path = match stack.last() {
                    Some((p, _)) => format!("{p}/{name}"),
                    None => name,
                };
                out.push((path, String::new()));
            }
            Ok(Event::Text(t)) => {
                if let Some((_, i)) = stack.last() {
                    out[*i].1.push_str(t.xml10_content().trim());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let c = match &*r.xml10_content() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unexpected entity {other} in {xml}"),
                };
                if let Some((_, i)) = stack.last() {
                    out[*i].1.push(c);
                }
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML ({e}): {xml}"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements in {xml}");
    out
}

/// The texts of the elements at `path`.
fn xml_texts(xml: &str, path: &str) -> Vec<String> {
    xml_paths(xml)
        .into_iter()
        .filter(|(p, _)| p == path)
        .map(|(_, t)| t)
        .collect()
}

/// The set of element paths of a document.
fn shape(xml: &str) -> BTreeSet<String> {
    xml_paths(xml).into_iter().map(|(p, _)| p).collect()
}

fn expect_xml(res: &TestResponse) -> String {
    assert_eq!(
        res.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("text/xml; charset=utf-8"),
        "{}",
        res.text()
    );
    res.text()
}

fn expect_json(res: &TestResponse) -> Value {
    assert_eq!(
        res.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("application/json; charset=utf-8"),
        "{}",
        res.text()
    );
    res.json()
}

/// The descriptions of a JSON error list, after checking every code is `status`.
fn json_errors(res: &TestResponse, status: u16) -> Vec<String> {
    res.expect_status(status);
    let list: Vec<Value> = res.json();
    assert!(!list.is_empty(), "an empty error list");
    list.iter()
        .map(|e| {
            assert_eq!(e["code"], status, "{e}");
            e["description"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// The descriptions of an XML error list, after checking every code is `status`.
fn xml_errors(res: &TestResponse, status: u16) -> Vec<String> {
    res.expect_status(status);
    let xml = expect_xml(res);
    let codes = xml_texts(&xml, "errors/error/code");
    assert!(!codes.is_empty(), "{xml}");
    assert!(codes.iter().all(|c| *c == status.to_string()), "{xml}");
    xml_texts(&xml, "errors/error/description")
}

async fn issue(app: &TestApp, name: &str, batch: bool) -> IssuedOpen311Client {
    let admin = app.login("admin").await;
    let res = app
        .post_json(
            "/api/admin/open311-clients",
            Some(&admin),
            &IssueOpen311Client {
                name: name.to_owned(),
                batch,
            },
        )
        .await;
    res.expect_status(201);
    res.json()
}

/// A complete request for town A's first village, with `key`.
fn request_pairs(app: &TestApp, key: &str) -> Pairs {
    vec![
        ("api_key", key.to_owned()),
        ("service_code", "labour".to_owned()),
        ("attribute[kind]", "dispute".to_owned()),
        ("attribute[village]", app.fixture.villages[0].to_string()),
        ("address_string", "渠口村二组 7 号".to_owned()),
        ("first_name", "四".to_owned()),
        ("last_name", "李".to_owned()),
        ("phone", "139 1234 5678".to_owned()),
        (
            "description",
            "包工头王五拖欠我们三个月工资,共 12000 元,多次讨要未果。".to_owned(),
        ),
    ]
}

fn body_of(pairs: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    encode(&pairs)
}

async fn post(app: &TestApp, format: &str, body: String) -> TestResponse {
    app.send(
        Method::POST,
        &format!("/open311/v2/requests.{format}"),
        None,
        Some(FORM),
        body,
    )
    .await
}

async fn post_en(app: &TestApp, body: String) -> TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/open311/v2/requests.json")
        .header(CONTENT_TYPE, FORM)
        .header(ACCEPT_LANGUAGE, "en")
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("{e}"));
    app.request(req).await
}

/// Posts a complete request (changed by `edit`) and returns its request id.
async fn post_ok(app: &TestApp, key: &str, edit: impl FnOnce(&mut Pairs)) -> String {
    let mut pairs = request_pairs(app, key);
    edit(&mut pairs);
    let res = post(app, "json", body_of(&pairs)).await;
    res.expect_status(200);
    let list = expect_json(&res);
    list[0]["service_request_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {list}"))
        .to_owned()
}

fn set(pairs: &mut Pairs, key: &'static str, value: &str) {
    pairs.retain(|(k, _)| *k != key);
    pairs.push((key, value.to_owned()));
}

async fn case_of(app: &TestApp, request_id: &str) -> i64 {
    sqlx::query_scalar("SELECT case_id FROM open311_requests WHERE request_id = $1")
        .bind(request_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{request_id}: {e}"))
}

// ── The specification's examples ─────────────────────────────────────────────────────────────

const SPEC_SERVICES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<services>
    <service>
        <service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name>
        <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>sanitation</group>
    </service>
</services>"#;

const SPEC_DEFINITION: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<service_definition>
    <service_code>DMV66</service_code>
    <attributes>
        <attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>What is the ticket/tag/DL number?</description>
            <values>
                <value>
                    <key>123</key>
                    <name>Ford</name>
                </value>
            </values>
        </attribute>
    </attributes>
</service_definition>"#;

const SPEC_POSTED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>293944</service_request_id>
        <service_notice>The City will inspect and require the responsible party to correct within 24 hours</service_notice>
        <account_id/>
    </request>
</service_requests>"#;

const SPEC_TOKEN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>638344</service_request_id>
        <token>12345</token>
    </request>
</service_requests>"#;

const SPEC_REQUESTS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>638344</service_request_id>
        <status>closed</status>
        <status_notes>Duplicate request.</status_notes>
        <service_name>Sidewalk and Curb Issues</service_name>
        <service_code>006</service_code>
        <description></description>
        <agency_responsible></agency_responsible>
        <service_notice></service_notice>
        <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
        <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
        <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
        <address>8TH AVE and JUDAH ST</address>
        <address_id>545483</address_id>
        <zipcode>94122</zipcode>
        <lat>37.762221815</lat>
        <long>-122.4651145</long>
        <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg </media_url>
    </request>
</service_requests>"#;

const SPEC_ERRORS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<errors>
    <error>
        <code>403</code>
        <description>Invalid api_key received -- can't proceed with create_request.</description>
    </error>
</errors>"#;

#[tokio::test]
async fn every_answer_has_the_shape_of_the_specifications_example() {
    let app = TestApp::new().await;
    let client = issue(&app, "县12345热线", false).await;
    let batch = issue(&app, "市民通 App", true).await;

    let services = app.get("/open311/v2/services.xml", None).await;
    services.expect_status(200);
    assert_eq!(shape(&expect_xml(&services)), shape(SPEC_SERVICES));

    let definition = app.get("/open311/v2/services/labour.xml", None).await;
    definition.expect_status(200);
    assert_eq!(shape(&expect_xml(&definition)), shape(SPEC_DEFINITION));

    let posted = post(&app, "xml", body_of(&request_pairs(&app, &client.api_key))).await;
    posted.expect_status(200);
    let posted = expect_xml(&posted);
    assert_eq!(shape(&posted), shape(SPEC_POSTED));
    let id = xml_texts(&posted, "service_requests/request/service_request_id").remove(0);

    let one = app
        .get(&format!("/open311/v2/requests/{id}.xml"), None)
        .await;
    one.expect_status(200);
    assert_eq!(shape(&expect_xml(&one)), shape(SPEC_REQUESTS));
    let list = app.get("/open311/v2/requests.xml", None).await;
    list.expect_status(200);
    assert_eq!(shape(&expect_xml(&list)), shape(SPEC_REQUESTS));

    let tokened = post(&app, "xml", body_of(&request_pairs(&app, &batch.api_key))).await;
    tokened.expect_status(200);
    let tokened = expect_xml(&tokened);
    let token = xml_texts(&tokened, "service_requests/request/token").remove(0);
    let resolved = app
        .get(&format!("/open311/v2/tokens/{token}.xml"), None)
        .await;
    resolved.expect_status(200);
    assert_eq!(shape(&expect_xml(&resolved)), shape(SPEC_TOKEN));

    let refused = post(&app, "xml", body_of(&request_pairs(&app, "c311_wrong"))).await;
    refused.expect_status(403);
    assert_eq!(shape(&expect_xml(&refused)), shape(SPEC_ERRORS));

    // JSON is the same document by the Spark convention: a list of objects with those fields.
    let json = expect_json(&app.get("/open311/v2/requests.json", None).await);
    let fields: BTreeSet<String> = json[0]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let spec: BTreeSet<String> = shape(SPEC_REQUESTS)
        .into_iter()
        .filter_map(|p| {
            p.strip_prefix("service_requests/request/")
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(fields, spec);
}

// ── Discovery and services ───────────────────────────────────────────────────────────────────

#[tokio::test]
async fn discovery_and_services_answer_in_both_formats() {
    let app = TestApp::new().await;
    let json = expect_json(&app.get("/open311/discovery.json", None).await);
    let endpoint = &json["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(
        endpoint["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/open311/v2")),
        "{json}"
    );
    assert_eq!(endpoint["formats"][0], "text/xml");
    let xml = expect_xml(&app.get("/open311/discovery.xml", None).await);
    assert_eq!(
        xml_texts(&xml, "discovery/endpoints/endpoint/formats/format"),
        vec!["text/xml", "application/json"]
    );

    let list = expect_json(&app.get("/open311/v2/services.json", None).await);
    let codes: Vec<&str> = list
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["service_code"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(codes.len(), 15, "{list}");
    assert!(codes.contains(&"labour") && codes.contains(&"marriage_family"));
    let labour = list
        .as_array()
        .and_then(|a| a.iter().find(|s| s["service_code"] == "labour"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(labour["service_name"], "劳动争议");
    assert_eq!(labour["metadata"], true);
    assert_eq!(labour["type"], "realtime");
    let xml = expect_xml(&app.get("/open311/v2/services.xml", None).await);
    assert_eq!(xml_texts(&xml, "services/service/service_code").len(), 15);
    assert!(
        xml_texts(&xml, "services/service/metadata")
            .iter()
            .all(|m| m == "true")
    );
    let english = expect_json(&app.get_en("/open311/v2/services.json", None).await);
    assert!(english.as_array().is_some_and(|a| {
        a.iter()
            .any(|s| s["service_name"] == "Labour (wages, work injury)")
    }));

    let def = expect_json(&app.get("/open311/v2/services/labour.json", None).await);
    assert_eq!(def["service_code"], "labour");
    let attrs = def["attributes"].as_array().cloned().unwrap_or_default();
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0]["code"], "kind");
    assert_eq!(attrs[0]["required"], false);
    assert_eq!(attrs[0]["values"].as_array().map(Vec::len), Some(6));
    assert_eq!(attrs[1]["code"], "village");
    assert_eq!(attrs[1]["required"], true);
    let villages: Vec<String> = attrs[1]["values"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["key"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for v in app.fixture.villages.iter().chain([&app.fixture.village_b]) {
        assert!(villages.contains(&v.to_string()), "{villages:?}");
    }
    let xml = expect_xml(&app.get("/open311/v2/services/labour.xml", None).await);
    assert_eq!(
        xml_texts(&xml, "service_definition/attributes/attribute/code"),
        vec!["kind", "village"]
    );

    // Unknown service, unknown format, unknown path.
    let e = json_errors(
        &app.get("/open311/v2/services/potholes.json", None).await,
        404,
    );
    assert!(e[0].starts_with("service_code:"), "{e:?}");
    let e = xml_errors(
        &app.get("/open311/v2/services/potholes.xml", None).await,
        404,
    );
    assert!(e[0].contains("potholes"), "{e:?}");
    xml_errors(&app.get("/open311/v2/services/labour.csv", None).await, 404);
    xml_errors(&app.get("/open311/v2/services.csv", None).await, 404);
    xml_errors(&app.get("/open311/v3/services.xml", None).await, 404);
    xml_errors(
        &app.send(
            Method::DELETE,
            "/open311/v2/services.xml",
            None,
            None,
            Body::empty(),
        )
        .await,
        405,
    );
}

#[tokio::test]
async fn another_jurisdiction_is_not_found_when_one_is_configured() {
    let app =
        TestApp::with_config(|c| c.open311_jurisdiction = Some("guazhou.gov.cn".into())).await;
    app.get(
        "/open311/v2/services.json?jurisdiction_id=guazhou.gov.cn",
        None,
    )
    .await
    .expect_status(200);
    app.get("/open311/v2/services.json", None)
        .await
        .expect_status(200);
    let e = json_errors(
        &app.get("/open311/v2/services.json?jurisdiction_id=sfgov.org", None)
            .await,
        404,
    );
    assert!(
        e[0].starts_with("jurisdiction_id:") && e[0].contains("sfgov.org"),
        "{e:?}"
    );
    xml_errors(
        &app.get("/open311/v2/requests.xml?jurisdiction_id=sfgov.org", None)
            .await,
        404,
    );
    xml_errors(
        &app.get(
            "/open311/v2/services/labour.xml?jurisdiction_id=sfgov.org",
            None,
        )
        .await,
        404,
    );
    let client = issue(&app, "热线", false).await;
    let mut pairs = request_pairs(&app, &client.api_key);
    set(&mut pairs, "jurisdiction_id", "sfgov.org");
    let before = app.count("cases").await;
    json_errors(&post(&app, "json", body_of(&pairs)).await, 404);
    assert_eq!(app.count("cases").await, before);

    // Without one configured, the parameter is ignored.
    let plain = TestApp::new().await;
    plain
        .get("/open311/v2/services.json?jurisdiction_id=sfgov.org", None)
        .await
        .expect_status(200);
}

// ── Posting ──────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_posted_request_becomes_an_online_case_the_public_sees_masked() {
    let app = TestApp::new().await;
    let client = issue(&app, "县12345热线", false).await;
    let mut pairs = request_pairs(&app, &client.api_key);
    set(&mut pairs, "email", "lisi@example.com");
    let res = post(&app, "json", body_of(&pairs)).await;
    res.expect_status(200);
    let posted = expect_json(&res);
    let id = posted[0]["service_request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id.len(), 12, "{posted}");
    assert!(
        posted[0].get("token").is_none(),
        "a realtime answer has no token: {posted}"
    );
    assert_eq!(posted[0]["account_id"], Value::Null);
    let notice = posted[0]["service_notice"].as_str().unwrap_or_default();

    // The case: online, in the village's town, the applicant as given, the place in the facts.
    let lead = app.login("lead").await;
    let case = app.read_case(&lead, case_of(&app, &id).await).await;
    assert_eq!(case.channel, Channel::Online);
    assert_eq!(case.stage, Stage::Registered);
    assert_eq!(case.town_id, app.fixture.town_a);
    assert_eq!(case.village_id, app.fixture.villages[0]);
    assert_eq!(case.category, shared::model::Category::Labour);
    assert_eq!(case.parties[0].name, "李四");
    assert_eq!(case.parties[0].phone.as_deref(), Some("13912345678"));
    assert!(case.facts.contains("渠口村二组 7 号"), "{}", case.facts);
    assert!(
        !case.facts.contains("lisi@"),
        "the e-mail is not kept: {}",
        case.facts
    );
    assert!(
        notice.contains(&case.code),
        "the notice tells the code: {notice}"
    );
    assert!(notice.contains("/status?code="), "{notice}");
    assert_ne!(id, case.code, "the request id is not the case code");
    // The timeline names the client; the leads are told.
    let events = app
        .get(&format!("/api/cases/{}/timeline", case.id), Some(&lead))
        .await;
    assert!(
        events.text().contains("县12345热线(Open311)"),
        "{}",
        events.text()
    );
    let notes: NotificationList = app.get("/api/notifications", Some(&lead)).await.json();
    assert!(
        notes
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::OnlineRequest && n.case_id == Some(case.id))
    );
    // The client list counts it.
    let admin = app.login("admin").await;
    let clients: Vec<Open311Client> = app
        .get("/api/admin/open311-clients", Some(&admin))
        .await
        .json();
    assert_eq!(clients[0].requests, 1);

    // Read back in both formats: open, no name, phone, free text or address below the village.
    let json = expect_json(
        &app.get(&format!("/open311/v2/requests/{id}.json"), None)
            .await,
    );
    let r = &json[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "labour");
    assert_eq!(r["service_name"], "劳动争议");
    assert_eq!(r["description"], Value::Null);
    assert_eq!(r["agency_responsible"], Value::Null);
    assert_eq!(r["address_id"], app.fixture.villages[0]);
    assert!(
        r["requested_datetime"]
            .as_str()
            .is_some_and(|d| d.ends_with("+08:00")),
        "{r}"
    );
    let due = case.due_on.to_string();
    assert_eq!(
        r["expected_datetime"].as_str(),
        Some(format!("{due}T23:59:59+08:00").as_str())
    );
    let text = json.to_string();
    for secret in [
        "李四",
        "13912345678",
        "5678",
        "王五",
        "12000",
        "二组",
        &case.code,
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let xml = expect_xml(
        &app.get(&format!("/open311/v2/requests/{id}.xml"), None)
            .await,
    );
    assert_eq!(
        xml_texts(&xml, "service_requests/request/status"),
        vec!["open"]
    );
    assert_eq!(
        xml_texts(&xml, "service_requests/request/service_request_id"),
        vec![id.clone()]
    );
    assert!(
        !xml.contains("李四") && !xml.contains("13912345678"),
        "{xml}"
    );

    // Routed to a department: it is the agency responsible; closed: the status says so.
    let routed = app
        .move_case(
            &lead,
            &case,
            Command::Route {
                handler: HandlerRef::Department(app.fixture.judicial_office),
                cooperating: vec![],
                note: String::new(),
            },
        )
        .await;
    let json = expect_json(
        &app.get(&format!("/open311/v2/requests/{id}.json"), None)
            .await,
    );
    assert_eq!(
        json[0]["agency_responsible"],
        routed.handler_name.clone().unwrap_or_default().as_str()
    );
    assert_ne!(json[0]["agency_responsible"], Value::Null);
    let second = post_ok(&app, &client.api_key, |_| {}).await;
    let second_case = app.read_case(&lead, case_of(&app, &second).await).await;
    let closed = app
        .close_case(&second_case, Outcome::Explained, "已解释说明")
        .await;
    assert_eq!(closed.stage, Stage::Closed);
    let json = expect_json(
        &app.get(&format!("/open311/v2/requests/{second}.json"), None)
            .await,
    );
    assert_eq!(json[0]["agency_responsible"], "综治中心调解室");
    let closed_at = closed.closed_at.map(|t| t.timestamp()).unwrap_or_default();
    let updated = json[0]["updated_datetime"]
        .as_str()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|t| t.timestamp())
        .unwrap_or_default();
    assert_eq!(
        updated, closed_at,
        "a closed request was last updated when it was closed"
    );
    assert_eq!(json[0]["status"], "closed");
    assert_eq!(json[0]["expected_datetime"], Value::Null);
}

#[tokio::test]
async fn every_bad_post_is_refused_by_name_and_keeps_nothing() {
    let app = TestApp::new().await;
    let client = issue(&app, "县12345热线", false).await;
    let key = client.api_key.clone();
    let before = app.snapshot().await;
    let with = |edit: &dyn Fn(&mut Pairs)| {
        let mut pairs = request_pairs(&app, &key);
        edit(&mut pairs);
        body_of(&pairs)
    };

    // The key: missing, wrong, revoked.
    let e = json_errors(
        &post(&app, "json", with(&|p| p.retain(|(k, _)| *k != "api_key"))).await,
        403,
    );
    assert!(e[0].contains("api_key"), "{e:?}");
    xml_errors(
        &post(&app, "xml", with(&|p| set(p, "api_key", "c311_0000"))).await,
        403,
    );

    // The service: missing (400) or unknown (404).
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| p.retain(|(k, _)| *k != "service_code")),
        )
        .await,
        400,
    );
    assert!(e[0].starts_with("service_code:"), "{e:?}");
    let e = json_errors(
        &post(&app, "json", with(&|p| set(p, "service_code", "potholes"))).await,
        404,
    );
    assert!(e[0].contains("potholes"), "{e:?}");

    // Everything missing at once: each field named, in order.
    let bare = encode(&[("api_key", &key), ("service_code", "labour")]);
    let e = json_errors(&post(&app, "json", bare.clone()).await, 400);
    let fields: Vec<&str> = e.iter().filter_map(|d| d.split(':').next()).collect();
    assert_eq!(
        fields,
        vec!["description", "attribute[village]", "first_name", "phone"],
        "{e:?}"
    );
    let e = xml_errors(&post(&app, "xml", bare).await, 400);
    assert_eq!(e.len(), 4, "{e:?}");

    // Values the definition does not offer, and bad values.
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| set(p, "attribute[kind]", "complaint")),
        )
        .await,
        400,
    );
    assert!(
        e[0].starts_with("attribute[kind]:") && e[0].contains("dispute"),
        "{e:?}"
    );
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| set(p, "attribute[village]", "999999")),
        )
        .await,
        400,
    );
    assert!(
        e[0].starts_with("attribute[village]:") && e[0].contains("999999"),
        "{e:?}"
    );
    let e = json_errors(
        &post(&app, "json", with(&|p| set(p, "attribute[village]", "村"))).await,
        400,
    );
    assert!(e[0].starts_with("attribute[village]:"), "{e:?}");
    let e = json_errors(
        &post(&app, "json", with(&|p| set(p, "phone", "12345"))).await,
        400,
    );
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("phone:"), "{e:?}");
    let e = json_errors(
        &post(&app, "json", with(&|p| set(p, "description", "太短"))).await,
        400,
    );
    assert!(e[0].starts_with("description:"), "{e:?}");
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| set(p, "description", &"字".repeat(4001))),
        )
        .await,
        400,
    );
    assert!(
        e[0].starts_with("description:") && e[0].contains("4000"),
        "{e:?}"
    );
    let e = json_errors(
        &post(&app, "json", with(&|p| set(p, "lat", "37.7"))).await,
        400,
    );
    assert!(e[0].starts_with("long:"), "{e:?}");
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| {
                set(p, "lat", "91");
                set(p, "long", "east");
            }),
        )
        .await,
        400,
    );
    assert_eq!(e.len(), 2, "{e:?}");

    // In English when asked.
    let e = json_errors(&post_en(&app, with(&|p| set(p, "phone", ""))).await, 400);
    assert_eq!(e, vec!["phone: Required."]);

    // Not a form, or far too large.
    let res = app
        .send(
            Method::POST,
            "/open311/v2/requests.json",
            None,
            Some("application/json"),
            "{}",
        )
        .await;
    json_errors(&res, 400);
    let huge = with(&|p| set(p, "address_string", &"很".repeat(20_000)));
    json_errors(&post(&app, "json", huge).await, 400);

    // A village named only in the address is found; an address naming none is refused.
    let village = app.fixture.villages[0];
    let name: String = sqlx::query_scalar("SELECT name FROM org_units WHERE id = $1")
        .bind(village)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let e = json_errors(
        &post(
            &app,
            "json",
            with(&|p| {
                p.retain(|(k, _)| *k != "attribute[village]");
                set(p, "address_string", "火星基地");
            }),
        )
        .await,
        400,
    );
    assert!(e[0].starts_with("attribute[village]:"), "{e:?}");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused request keeps nothing"
    );

    let id = post_ok(&app, &key, |p| {
        p.retain(|(k, _)| *k != "attribute[village]");
        set(p, "address_string", &format!("{name}三组"));
    })
    .await;
    let lead = app.login("lead").await;
    assert_eq!(
        app.read_case(&lead, case_of(&app, &id).await)
            .await
            .village_id,
        village
    );
    let id = post_ok(&app, &key, |p| {
        p.retain(|(k, _)| *k != "attribute[village]");
        set(p, "address_id", &app.fixture.village_b.to_string());
    })
    .await;
    let lead_b = app.login("lead_b").await;
    let case = app.read_case(&lead_b, case_of(&app, &id).await).await;
    assert_eq!(case.town_id, app.fixture.town_b);

    // Revoked: refused from then on.
    let admin = app.login("admin").await;
    let revoked: Open311Client = app
        .post_json(
            &format!("/api/admin/open311-clients/{}/revoke", client.client.id),
            Some(&admin),
            &(),
        )
        .await
        .json();
    assert!(revoked.revoked_at.is_some());
    let cases = app.count("cases").await;
    let e = json_errors(&post(&app, "json", with(&|_| {})).await, 403);
    assert!(e[0].contains("api_key"), "{e:?}");
    assert_eq!(app.count("cases").await, cases);
}

#[tokio::test]
async fn a_batch_client_gets_a_token_that_gives_the_request_id() {
    let app = TestApp::new().await;
    let client = issue(&app, "市民通 App", true).await;
    let services = expect_json(
        &app.get(
            &format!("/open311/v2/services.json?api_key={}", client.api_key),
            None,
        )
        .await,
    );
    assert_eq!(services[0]["type"], "batch");
    let res = post(&app, "json", body_of(&request_pairs(&app, &client.api_key))).await;
    res.expect_status(200);
    let posted = expect_json(&res);
    assert!(posted[0].get("service_request_id").is_none(), "{posted}");
    let token = posted[0]["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(token.len(), 20);
    let json = expect_json(
        &app.get(&format!("/open311/v2/tokens/{token}.json"), None)
            .await,
    );
    assert_eq!(json[0]["token"], token.as_str());
    let id = json[0]["service_request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.get(&format!("/open311/v2/requests/{id}.json"), None)
        .await
        .expect_status(200);
    let xml = expect_xml(
        &app.get(&format!("/open311/v2/tokens/{token}.xml"), None)
            .await,
    );
    assert_eq!(
        xml_texts(&xml, "service_requests/request/service_request_id"),
        vec![id]
    );
    let e = json_errors(
        &app.get("/open311/v2/tokens/nosuchtoken.json", None).await,
        404,
    );
    assert!(e[0].starts_with("token:"), "{e:?}");
    xml_errors(
        &app.get("/open311/v2/tokens/nosuchtoken.xml", None).await,
        404,
    );
    xml_errors(
        &app.get("/open311/v2/requests/nosuchid.xml", None).await,
        404,
    );
    json_errors(
        &app.get("/open311/v2/requests/nosuchid.json", None).await,
        404,
    );
}

// ── The request list ─────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn the_request_list_filters_limits_and_leaves_out_sensitive_matters() {
    let app = TestApp::new().await;
    let client = issue(&app, "县12345热线", false).await;
    let key = client.api_key.clone();
    let a = post_ok(&app, &key, |_| {}).await;
    let b = post_ok(&app, &key, |_| {}).await;
    let c = post_ok(&app, &key, |p| set(p, "service_code", "neighbour")).await;
    let family = post_ok(&app, &key, |p| set(p, "service_code", "marriage_family")).await;
    // A case registered at the window is never listed.
    let lead = app.login("lead").await;
    app.register(&lead, &app.sample_case()).await;
    let closed_case = app.read_case(&lead, case_of(&app, &c).await).await;
    app.close_case(&closed_case, Outcome::Explained, "已调解")
        .await;

    let ids = |res: &TestResponse| -> Vec<String> {
        res.expect_status(200);
        let list: Vec<Value> = res.json();
        list.iter()
            .filter_map(|r| r["service_request_id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        ids(&app.get("/open311/v2/requests.json", None).await),
        vec![c.clone(), b.clone(), a.clone()]
    );
    assert_eq!(
        ids(&app
            .get("/open311/v2/requests.json?service_code=labour", None)
            .await),
        vec![b.clone(), a.clone()]
    );
    assert_eq!(
        ids(&app
            .get(
                "/open311/v2/requests.json?service_code=labour,neighbour&status=closed",
                None
            )
            .await),
        vec![c.clone()]
    );
    assert_eq!(
        ids(&app.get("/open311/v2/requests.json?status=open", None).await),
        vec![b.clone(), a.clone()]
    );
    assert_eq!(
        ids(&app
            .get(
                &format!("/open311/v2/requests.json?service_request_id={a},{c}&status=open"),
                None
            )
            .await),
        vec![c.clone(), a.clone()],
        "ids override every other filter"
    );
    assert!(ids(&app.get("/open311/v2/requests.json?start_date=2010-01-01T00:00:00Z&end_date=2010-02-01T00:00:00Z", None).await).is_empty());
    let today = chrono::Utc::now().date_naive();
    let week = format!(
        "/open311/v2/requests.json?start_date={}T00:00:00Z&end_date={}T00:00:00Z",
        today - chrono::Days::new(3),
        today + chrono::Days::new(3)
    );
    assert_eq!(ids(&app.get(&week, None).await).len(), 3);
    let xml = expect_xml(
        &app.get("/open311/v2/requests.xml?status=closed", None)
            .await,
    );
    assert_eq!(
        xml_texts(&xml, "service_requests/request/service_request_id"),
        vec![c.clone()]
    );
    assert_eq!(
        xml_texts(&xml, "service_requests/request/status"),
        vec!["closed"]
    );

    // A sensitive matter: left out of lists, and by its id only its coarse status.
    let json = expect_json(
        &app.get(&format!("/open311/v2/requests/{family}.json"), None)
            .await,
    );
    assert_eq!(json[0]["status"], "open");
    assert_eq!(json[0]["status_notes"], "已受理");
    for hidden in [
        "service_code",
        "service_name",
        "agency_responsible",
        "address",
        "address_id",
        "expected_datetime",
    ] {
        assert_eq!(json[0][hidden], Value::Null, "{hidden}: {json}");
    }
    assert!(
        !ids(&app
            .get(
                &format!("/open311/v2/requests.json?service_request_id={family}"),
                None
            )
            .await)
        .contains(&family)
    );

    // Refused filters, each named.
    let e = json_errors(
        &app.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", None).await,
        400,
    );
    assert!(
        e[0].starts_with("end_date:") && e[0].contains("90"),
        "{e:?}"
    );
    let e = json_errors(
        &app.get("/open311/v2/requests.json?status=pending", None)
            .await,
        400,
    );
    assert!(e[0].starts_with("status:"), "{e:?}");
    let e = xml_errors(
        &app.get("/open311/v2/requests.xml?start_date=yesterday", None)
            .await,
        400,
    );
    assert!(e[0].starts_with("start_date:"), "{e:?}");
    let e = json_errors(
        &app.get("/open311/v2/requests.json?service_code=potholes", None)
            .await,
        400,
    );
    assert!(e[0].starts_with("service_code:"), "{e:?}");
    let e = json_errors(
        &app.get("/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", None).await,
        400,
    );
    assert!(e[0].starts_with("end_date:"), "{e:?}");
}

// ── Limits and the administrator ─────────────────────────────────────────────────────────────

#[tokio::test]
async fn requests_posted_together_stop_at_the_clients_hourly_limit() {
    let app = Arc::new(TestApp::with_config(|c| c.open311_max_per_client = 5).await);
    let client = issue(&app, "县12345热线", false).await;
    let other = issue(&app, "市民通 App", false).await;
    let before = app.count("cases").await;
    let body = body_of(&request_pairs(&app, &client.api_key));
    let answers = join_all((0..16).map(|_| {
        let app = Arc::clone(&app);
        let body = body.clone();
        async move { post(&app, "json", body).await }
    }))
    .await;
    let ok = answers.iter().filter(|r| r.status.as_u16() == 200).count();
    let limited: Vec<&TestResponse> = answers
        .iter()
        .filter(|r| r.status.as_u16() == 429)
        .collect();
    assert_eq!(ok, 5, "exactly the limit gets through");
    assert_eq!(limited.len(), 11);
    for r in &limited {
        assert!(r.headers.get(RETRY_AFTER).is_some());
        json_errors(r, 429);
    }
    assert_eq!(app.count("cases").await, before + 5);
    assert_eq!(app.count("open311_requests").await, 5);
    // Another client has its own allowance.
    post_ok(&app, &other.api_key, |_| {}).await;
}

#[tokio::test]
async fn only_the_administrator_issues_lists_and_revokes_keys() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    let admin = app.login("admin").await;
    let req = IssueOpen311Client {
        name: "县12345热线".to_owned(),
        batch: false,
    };
    app.post_json("/api/admin/open311-clients", Some(&lead), &req)
        .await
        .expect_status(403);
    app.get("/api/admin/open311-clients", Some(&lead))
        .await
        .expect_status(403);
    app.get("/api/admin/open311-clients", None)
        .await
        .expect_status(401);
    let issued = issue(&app, "县12345热线", false).await;
    assert!(issued.api_key.starts_with("c311_") && issued.api_key.len() == 69);
    assert_eq!(issued.client.key_hint, issued.api_key[..9]);
    let listed = app.get("/api/admin/open311-clients", Some(&admin)).await;
    listed.expect_status(200);
    assert!(
        !listed.text().contains(&issued.api_key),
        "the key is shown only once"
    );
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM open311_clients")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(stored, issued.api_key);
    let bad = app
        .post_json(
            "/api/admin/open311-clients",
            Some(&admin),
            &IssueOpen311Client {
                name: " ".to_owned(),
                batch: false,
            },
        )
        .await;
    bad.expect_status(422);
    assert_eq!(bad.error().fields[0].field, "name");
    app.post_json(
        &format!("/api/admin/open311-clients/{}/revoke", issued.client.id),
        Some(&lead),
        &(),
    )
    .await
    .expect_status(403);
    app.post_json("/api/admin/open311-clients/9999/revoke", Some(&admin), &())
        .await
        .expect_status(404);
    let first: Open311Client = app
        .post_json(
            &format!("/api/admin/open311-clients/{}/revoke", issued.client.id),
            Some(&admin),
            &(),
        )
        .await
        .json();
    let again: Open311Client = app
        .post_json(
            &format!("/api/admin/open311-clients/{}/revoke", issued.client.id),
            Some(&admin),
            &(),
        )
        .await
        .json();
    assert_eq!(
        first.revoked_at, again.revoked_at,
        "revoking twice keeps the first moment"
    );
}

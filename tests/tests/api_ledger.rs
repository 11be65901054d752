//! The case list (every case, archived included: period, result, rating, order) and the
//! ledger exports (CSV and XLSX: columns, masking per role, the audit record), against the
//! real router on a fresh database.

use std::io::Cursor;

use calamine::{Data, DataType as _, Reader, Xlsx, open_workbook_from_rs};
use concord_tests::TestApp;
use shared::ErrorKind;
use shared::api::{CaseListItem, Page};
use shared::model::{CaseDetail, Category, Outcome, Satisfaction, Stage};
use shared::workflow::Command;

/// Three cases: `archived` (closed with an oral agreement and archived, rated satisfied), `closed`
/// (explained, a labour matter, registered ten days ago) and `open` (registered).
struct Cases {
    archived: CaseDetail,
    closed: CaseDetail,
    open: CaseDetail,
}

async fn three_cases(app: &TestApp) -> Cases {
    let clerk = app.login("clerk").await;
    let lead = app.login("lead").await;
    let first = app.register(&clerk, &app.sample_case()).await;
    let closed = app
        .close_case(
            &first,
            Outcome::AgreementOral,
            "双方达成协议,张三同意疏通。",
        )
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
    assert!(archived.archive_no.is_some());
    let mut labour = app.sample_case();
    labour.category = Category::Labour;
    labour.summary = "欠薪纠纷".to_owned();
    let labour = app.register(&clerk, &labour).await;
    let closed = app
        .close_case(&labour, Outcome::Explained, "未达成一致")
        .await;
    let open = app.register(&clerk, &app.sample_case()).await;
    let ten_days_ago = (chrono::Utc::now() - chrono::Duration::days(10)).timestamp_millis();
    app.execute(&format!(
        "UPDATE cases SET registered_at = {ten_days_ago} WHERE id = {}",
        closed.id
    ))
    .await;
    app.execute(&format!(
        "UPDATE cases SET rating = 'satisfied', rated_at = {} WHERE id = {}",
        chrono::Utc::now().timestamp_millis(),
        archived.id
    ))
    .await;
    Cases {
        archived,
        closed,
        open,
    }
}

fn ids(page: &Page<CaseListItem>) -> Vec<i64> {
    page.items.iter().map(|c| c.card.id).collect()
}

#[tokio::test]
async fn the_case_list_finds_an_archived_case_by_its_archive_number_and_filters_by_result() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let lead = app.login("lead").await;
    let archive_no = c.archived.archive_no.clone().unwrap_or_default();
    let found: Page<CaseListItem> = app
        .get(&format!("/api/cases?q={archive_no}"), Some(&lead))
        .await
        .json();
    assert_eq!(ids(&found), vec![c.archived.id]);
    let item = &found.items[0];
    assert_eq!(item.card.stage, Stage::Archived);
    assert_eq!(item.archive_no.as_deref(), Some(archive_no.as_str()));
    assert_eq!(item.outcome, Some(Outcome::AgreementOral));
    assert_eq!(item.rating, Some(Satisfaction::Satisfied));
    assert!(item.closed_at.is_some());

    let get = |q: &'static str| {
        let app = &app;
        let lead = &lead;
        async move {
            let res = app.get(&format!("/api/cases{q}"), Some(lead)).await;
            res.expect_status(200);
            res.json::<Page<CaseListItem>>()
        }
    };
    assert_eq!(ids(&get("?outcome=explained").await), vec![c.closed.id]);
    assert_eq!(
        ids(&get("?outcome=agreement_oral").await),
        vec![c.archived.id]
    );
    assert_eq!(ids(&get("?rating=satisfied").await), vec![c.archived.id]);
    assert!(ids(&get("?rating=dissatisfied").await).is_empty());
    assert_eq!(ids(&get("?stage=archived").await), vec![c.archived.id]);
    // An open case has no result, no close and no archive number.
    let open = get("?stage=registered").await;
    assert_eq!(ids(&open), vec![c.open.id]);
    assert_eq!(
        (
            open.items[0].outcome,
            open.items[0].closed_at,
            open.items[0].archive_no.clone()
        ),
        (None, None, None)
    );
}

#[tokio::test]
async fn the_case_list_takes_a_period_of_registration_and_an_order() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let lead = app.login("lead").await;
    let today = app.state.config.today();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let list = |q: String| {
        let app = &app;
        let lead = &lead;
        async move {
            let res = app.get(&format!("/api/cases{q}"), Some(lead)).await;
            res.expect_status(200);
            res.json::<Page<CaseListItem>>()
        }
    };
    let recent = list(format!("?from={}", day(today - chrono::Days::new(2)))).await;
    assert_eq!(recent.total, 2);
    assert!(!ids(&recent).contains(&c.closed.id));
    let older = list(format!(
        "?from={}&to={}",
        day(today - chrono::Days::new(11)),
        day(today - chrono::Days::new(9))
    ))
    .await;
    assert_eq!(ids(&older), vec![c.closed.id]);
    // Both ends are included: a period of one day, today, holds today's cases.
    let one_day = list(format!("?from={0}&to={0}", day(today))).await;
    assert_eq!(one_day.total, 2);

    let newest = list("?sort=newest".into()).await;
    assert_eq!(ids(&newest), vec![c.open.id, c.archived.id, c.closed.id]);
    assert_eq!(ids(&list(String::new()).await), ids(&newest));
    let oldest = list("?sort=oldest".into()).await;
    assert_eq!(ids(&oldest), vec![c.closed.id, c.archived.id, c.open.id]);
    let closed_first = list("?sort=closed".into()).await;
    assert_eq!(ids(&closed_first)[2], c.open.id, "never closed goes last");
    let by_code = list("?sort=code".into()).await;
    let codes: Vec<String> = by_code.items.iter().map(|i| i.card.code.clone()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
}

#[tokio::test]
async fn a_reversed_period_or_a_list_field_on_the_board_is_refused_by_name() {
    let app = TestApp::new().await;
    let lead = app.login("lead").await;
    for (path, field) in [
        ("/api/cases?from=2026-03-02&to=2026-03-01", "to"),
        ("/api/cases?from=2026-02-30", "from"),
        ("/api/cases?outcome=won", "outcome"),
        ("/api/cases?rating=5", "rating"),
        ("/api/cases?sort=random", "sort"),
        ("/api/board?from=2026-03-01", "from"),
        ("/api/board?outcome=agreement_oral", "outcome"),
        ("/api/board?sort=code", "sort"),
        ("/api/ledger.csv?from=2026-03-02&to=2026-03-01", "to"),
    ] {
        let res = app.get_en(path, Some(&lead)).await;
        res.expect_status(422);
        let err = res.error();
        let named = err.fields.iter().find(|f| f.field == field);
        assert!(named.is_some(), "{path}: {err:?}");
        assert!(
            !named
                .map(|f| f.message.clone())
                .unwrap_or_default()
                .is_empty(),
            "{path}: a reason is given"
        );
    }
    // Nor does a saved board view keep them.
    let res = app
        .post_json(
            "/api/views",
            Some(&lead),
            &serde_json::json!({"name": "三月", "filter": {"from": "2026-03-01", "kind": "dispute"}}),
        )
        .await;
    res.expect_status(422);
    assert_eq!(res.error().fields[0].field, "filter.from");
    let res = app.get("/api/board?from=2026-03-01", Some(&lead)).await;
    assert!(
        res.error().fields[0].message.contains("案件列表"),
        "the board points to the case list: {:?}",
        res.error()
    );
}

/// The CSV's records (RFC 4180, quoted fields may hold line breaks and commas).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(ch),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, _) => field.push(ch),
        }
    }
    records
}

fn column(records: &[Vec<String>], heading: &str) -> usize {
    records[0]
        .iter()
        .position(|h| h == heading)
        .unwrap_or_else(|| panic!("no column {heading}: {:?}", records[0]))
}

#[tokio::test]
async fn the_csv_ledger_has_a_bom_every_column_and_unmasked_parties_for_the_lead() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let lead = app.login("lead").await;
    let res = app.get("/api/ledger.csv?sort=oldest", Some(&lead)).await;
    res.expect_status(200);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(res.header("x-ledger-rows"), Some("3"));
    assert_eq!(res.header("x-ledger-masked"), Some("false"));
    let disposition = res
        .header("content-disposition")
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(".csv"), "{disposition}");
    assert!(
        res.body.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM first"
    );
    let text = res.text();
    let records = csv_records(text.trim_start_matches('\u{feff}'));
    assert_eq!(records.len(), 4, "the heading and three cases");
    for heading in [
        "案件编号",
        "来源",
        "受理时间",
        "登记人",
        "当事人",
        "类别",
        "村(社区)/片/组",
        "主要事实",
        "诉求",
        "风险等级",
        "办理程序",
        "承办单位/调解员",
        "流转时间",
        "办理期限",
        "延期",
        "化解结果",
        "调解次数",
        "调解协议",
        "协议金额(元)",
        "履行情况",
        "司法确认",
        "回访",
        "满意度",
        "督办记录",
        "归档号",
    ] {
        column(&records, heading);
    }
    assert!(records.iter().all(|r| r.len() == records[0].len()));
    let code = column(&records, "案件编号");
    assert_eq!(
        records[1..]
            .iter()
            .map(|r| r[code].clone())
            .collect::<Vec<_>>(),
        vec![
            c.closed.code.clone(),
            c.archived.code.clone(),
            c.open.code.clone()
        ]
    );
    let archived = &records[2];
    assert!(archived[column(&records, "当事人")].contains("张三"));
    assert!(archived[column(&records, "当事人")].contains("13812345678"));
    assert_eq!(archived[column(&records, "化解结果")], "达成口头协议");
    // The mediation columns: the oral agreement recorded before closing, its follow-up due.
    assert!(
        archived[column(&records, "调解协议")].contains("口头调解协议"),
        "{:?}",
        archived[column(&records, "调解协议")]
    );
    assert!(archived[column(&records, "回访")].starts_with("应于"));
    assert_eq!(archived[column(&records, "调解次数")], "0");
    assert_eq!(
        archived[column(&records, "归档号")],
        c.archived.archive_no.clone().unwrap_or_default()
    );
    assert_eq!(archived[column(&records, "满意度")], "满意");
    assert!(archived[column(&records, "结果说明")].contains("张三"));
    assert_eq!(
        archived[column(&records, "办理期限")],
        c.archived.due_on.format("%Y-%m-%d").to_string()
    );
    // The filter of the case list drives the ledger.
    let labour = app
        .get("/api/ledger.csv?category=labour", Some(&lead))
        .await;
    let records = csv_records(labour.text().trim_start_matches('\u{feff}'));
    assert_eq!(records.len(), 2);
    assert_eq!(records[1][code], c.closed.code);
    // English headings for an English reader.
    let en = app.get_en("/api/ledger.csv", Some(&lead)).await;
    assert!(en.text().contains("Archive number"));
}

#[tokio::test]
async fn the_ledger_is_masked_for_roles_that_see_parties_masked_and_refused_to_others() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let leader = app.login("leader").await;
    let res = app.get("/api/ledger.csv", Some(&leader)).await;
    res.expect_status(200);
    assert_eq!(res.header("x-ledger-masked"), Some("true"));
    let text = res.text();
    assert!(!text.contains("张三"), "no full name: {text}");
    assert!(!text.contains("李四"));
    assert!(!text.contains("13812345678"));
    assert!(!text.contains("11010519491231002X"));
    assert!(text.contains("张某"));
    // The result summary names 张三: the free text is masked too.
    let records = csv_records(text.trim_start_matches('\u{feff}'));
    let summary = column(&records, "结果说明");
    let archived = records
        .iter()
        .find(|r| r[0] == c.archived.code)
        .map(|r| r[summary].clone())
        .unwrap_or_default();
    assert!(archived.contains("张某同意"), "{archived}");

    // The lead may ask for a masked copy.
    let lead = app.login("lead").await;
    let masked = app.get("/api/ledger.csv?masked=true", Some(&lead)).await;
    masked.expect_status(200);
    assert!(!masked.text().contains("张三"));

    for user in ["mediator", "police", "grid"] {
        let cookie = app.login(user).await;
        let res = app.get("/api/ledger.xlsx", Some(&cookie)).await;
        res.expect_status(403);
        assert_eq!(res.error().kind, ErrorKind::Forbidden, "{user}");
    }
    let res = app.get("/api/ledger.csv", None).await;
    res.expect_status(401);
}

#[tokio::test]
async fn every_export_is_in_the_audit_log_with_its_period_and_masking() {
    let app = TestApp::new().await;
    three_cases(&app).await;
    let lead = app.login("lead").await;
    let leader = app.login("leader").await;
    assert_eq!(app.count("audit_log").await, 0);
    app.get("/api/ledger.csv?from=2026-01-01&to=2026-12-31", Some(&lead))
        .await
        .expect_status(200);
    app.get("/api/ledger.xlsx", Some(&leader))
        .await
        .expect_status(200);
    // A refused export records nothing.
    app.get("/api/ledger.csv?from=2026-02-01&to=2026-01-01", Some(&lead))
        .await
        .expect_status(422);
    let mut conn = app
        .state
        .db
        .pool
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let entries = backend::db::audit::of_town(&mut conn, app.fixture.town_a, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries.len(), 2);
    let detail = |i: usize| -> serde_json::Value {
        serde_json::from_str(&entries[i].detail).unwrap_or_else(|e| panic!("{e}"))
    };
    let (xlsx, csv) = (detail(0), detail(1));
    assert_eq!(entries[1].user_id, app.fixture.lead);
    assert_eq!(entries[1].action, "ledger_export");
    assert_eq!(csv["format"], "csv");
    assert_eq!(csv["masked"], false);
    assert_eq!(csv["from"], "2026-01-01");
    assert_eq!(csv["to"], "2026-12-31");
    assert_eq!(entries[0].user_id, app.fixture.leader);
    assert_eq!(xlsx["format"], "xlsx");
    assert_eq!(xlsx["masked"], true);
    assert_eq!(xlsx["rows"], 3);
}

#[tokio::test]
async fn the_xlsx_ledger_opens_with_its_cells_and_dates_as_dates() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let lead = app.login("lead").await;
    let res = app.get("/api/ledger.xlsx?sort=oldest", Some(&lead)).await;
    res.expect_status(200);
    assert_eq!(
        res.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(res.body.to_vec())).unwrap_or_else(|e| panic!("{e}"));
    let names = book.sheet_names();
    assert_eq!(names, vec!["矛盾纠纷排查化解台账".to_owned()]);
    let range = book
        .worksheet_range(&names[0])
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 4);
    let heading = |name: &str| {
        rows[0]
            .iter()
            .position(|d| d == &Data::String(name.to_owned()))
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    assert_eq!(
        rows[1][heading("案件编号")],
        Data::String(c.closed.code.clone())
    );
    assert_eq!(
        rows[2][heading("归档号")],
        Data::String(c.archived.archive_no.clone().unwrap_or_default())
    );
    let parties = rows[2][heading("当事人")].to_string();
    assert!(parties.contains("张三"), "{parties}");
    let received = &rows[2][heading("受理时间")];
    assert!(received.is_datetime(), "a date: {received:?}");
    let when = received.as_datetime().unwrap_or_default();
    let expected = c
        .archived
        .registered_at
        .with_timezone(&app.state.config.timezone())
        .naive_local();
    assert!(
        (when - expected).num_seconds().abs() < 60,
        "{when} against {expected}"
    );
    let due = &rows[2][heading("办理期限")];
    assert_eq!(
        due.as_datetime().map(|d| d.date()),
        Some(c.archived.due_on),
        "{due:?}"
    );
    assert!(
        rows[3][heading("结案时间")] == Data::Empty,
        "the open case is not closed"
    );
    // The header row is frozen.
    let sheet = zip_entry(&res.body, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("state=\"frozen\"") && sheet.contains("ySplit=\"1\""),
        "{}",
        &sheet[..sheet.len().min(800)]
    );
}

/// A file of a zip archive, as text.
fn zip_entry(zip: &[u8], name: &str) -> String {
    use std::io::Read as _;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(zip.to_vec())).unwrap_or_else(|e| panic!("{e}"));
    let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{e}"));
    let mut out = String::new();
    file.read_to_string(&mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

#[tokio::test]
async fn a_second_export_while_one_runs_is_told_to_wait() {
    let app = TestApp::new().await;
    three_cases(&app).await;
    let lead = app.login("lead").await;
    let running = std::sync::Arc::clone(&app.state.exports)
        .try_acquire_owned()
        .unwrap_or_else(|e| panic!("{e}"));
    let res = app.get_en("/api/ledger.xlsx", Some(&lead)).await;
    res.expect_status(429);
    let err = res.error();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(err.retry_after.is_some());
    assert!(res.header("retry-after").is_some());
    assert_eq!(
        app.count("audit_log").await,
        0,
        "a refused export is not logged"
    );
    drop(running);
    app.get("/api/ledger.xlsx", Some(&lead))
        .await
        .expect_status(200);
}

#[tokio::test]
async fn an_export_that_fails_midway_breaks_off_instead_of_looking_complete() {
    let app = TestApp::new().await;
    let c = three_cases(&app).await;
    let lead = app.login("lead").await;
    // A row the server cannot read (an unknown channel): the ledger reaches it after the
    // heading has gone out.
    app.execute(&format!(
        "UPDATE cases SET channel = 'carrier_pigeon' WHERE id = {}",
        c.open.id
    ))
    .await;
    for format in ["csv", "xlsx"] {
        let (status, body) = app
            .get_streamed(&format!("/api/ledger.{format}"), &lead)
            .await;
        assert_eq!(status.as_u16(), 200, "{format}: the answer had begun");
        assert!(body.is_err(), "{format}: the body must break off, not end");
    }
    // The export's permit is back: with the row mended, the next export is whole.
    app.execute(&format!(
        "UPDATE cases SET channel = 'window' WHERE id = {}",
        c.open.id
    ))
    .await;
    let (status, body) = app.get_streamed("/api/ledger.xlsx", &lead).await;
    assert_eq!(status.as_u16(), 200);
    let body = body.unwrap_or_else(|e| panic!("{e}"));
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(body.to_vec())).unwrap_or_else(|e| panic!("{e}"));
    let name = book.sheet_names()[0].clone();
    let rows = book
        .worksheet_range(&name)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.rows().count(), 4);
}

#[tokio::test]
async fn exports_arriving_together_each_get_a_whole_file_or_a_429_and_only_files_are_logged() {
    let app = TestApp::new().await;
    three_cases(&app).await;
    let lead = app.login("lead").await;
    let answers = concord_tests::join_all((0..12).map(|i| {
        let path = if i % 2 == 0 {
            "/api/ledger.csv"
        } else {
            "/api/ledger.xlsx"
        };
        app.get_streamed(path, &lead)
    }))
    .await;
    let mut files = 0;
    for (status, body) in &answers {
        match status.as_u16() {
            200 => {
                let body = body
                    .as_ref()
                    .unwrap_or_else(|e| panic!("a 200 broke off: {e}"));
                assert!(
                    body.starts_with("\u{feff}".as_bytes()) || body.starts_with(b"PK"),
                    "a whole CSV or XLSX"
                );
                files += 1;
            }
            429 => {}
            other => panic!("an export answered {other}"),
        }
    }
    eprintln!(
        "{files} of {} exports ran, the others were told to wait",
        answers.len()
    );
    assert!(files >= 1, "at least one export ran");
    assert_eq!(
        app.count("audit_log").await,
        files,
        "every file, and nothing else, is in the audit log"
    );
}

//! Setting up a county without the demo, against the real router: the administrator types
//! units one at a time (each level under the one above, a town with its code), renames them,
//! imports a sheet of the tree (CSV or XLSX: checked whole, every bad row named, nothing
//! written while one is bad, nothing added twice), and keeps each town's departments; then the
//! new town's first lead registers its first case. Nobody else may.

use base64::Engine;
use concord_tests::TestApp;
use shared::admin::{AccountForm, AuditLog, ChangePassword, IssuedPassword};
use shared::api::LoginRequest;
use shared::model::{Department, DepartmentKind, OrgLevel, Role};
use shared::orgsheet::{
    AdminDepartment, AdminUnit, DepartmentForm, OrgImport, OrgPreview, SheetFormat, UnitForm,
};

fn fields(res: &concord_tests::TestResponse) -> Vec<String> {
    res.expect_status(422);
    res.error().fields.into_iter().map(|f| f.field).collect()
}

fn unit(parent: Option<i64>, name: &str, code: Option<&str>) -> UnitForm {
    UnitForm {
        parent_id: parent,
        name: name.into(),
        code: code.map(str::to_owned),
    }
}

async fn add(app: &TestApp, admin: &str, form: &UnitForm) -> AdminUnit {
    let res = app
        .post_json("/api/admin/org/units", Some(admin), form)
        .await;
    res.expect_status(201);
    res.json()
}

fn csv(text: &str, commit: bool) -> OrgImport {
    OrgImport {
        format: SheetFormat::Csv,
        data: text.into(),
        commit,
    }
}

async fn import(app: &TestApp, admin: &str, req: &OrgImport) -> OrgPreview {
    let res = app
        .post_json("/api/admin/org/import", Some(admin), req)
        .await;
    res.expect_status(200);
    res.json()
}

#[tokio::test]
async fn units_are_typed_level_by_level_and_refused_by_name() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let f = &app.fixture;
    let town = add(&app, &admin, &unit(Some(f.county), "锁阳城镇", Some("sy"))).await;
    assert_eq!(
        (town.level, town.code.as_deref()),
        (OrgLevel::Town, Some("SY"))
    );
    let village = add(&app, &admin, &unit(Some(town.id), "堡子村", None)).await;
    assert_eq!(village.level, OrgLevel::Village);
    let area = add(&app, &admin, &unit(Some(village.id), "堡子村一片", None)).await;
    let group = add(&app, &admin, &unit(Some(area.id), "一组", None)).await;
    assert_eq!((area.level, group.level), (OrgLevel::Area, OrgLevel::Group));

    let path = "/api/admin/org/units";
    let cases: [(UnitForm, &[&str]); 8] = [
        (unit(None, "另一个县", None), &["parent_id"]),
        (unit(Some(group.id), "再下一级", None), &["parent_id"]),
        (unit(Some(999_999), "无上级", None), &["parent_id"]),
        (unit(Some(f.county), "西湖镇", None), &["code"]),
        (unit(Some(f.county), "西湖镇", Some("GZ")), &["code"]),
        (unit(Some(f.county), "西湖镇", Some("X1")), &["code"]),
        (unit(Some(town.id), "堡子村", None), &["name"]),
        (
            unit(Some(town.id), &"长".repeat(31), Some("AB")),
            &["name", "code"],
        ),
    ];
    for (form, expected) in cases {
        assert_eq!(
            fields(&app.post_json(path, Some(&admin), &form).await),
            expected,
            "{form:?}"
        );
    }
    // The same name under another parent is fine.
    add(&app, &admin, &unit(Some(f.villages[0]), "一组", None)).await;
    // Nobody but the administrator.
    for user in ["lead", "county", "clerk"] {
        let c = app.login(user).await;
        app.post_json(path, Some(&c), &unit(Some(town.id), "新村", None))
            .await
            .expect_status(403);
        app.get("/api/admin/org", Some(&c)).await.expect_status(403);
    }
    let tree: Vec<AdminUnit> = app.get("/api/admin/org", Some(&admin)).await.json();
    assert!(
        tree.iter()
            .any(|u| u.id == group.id && u.parent_id == Some(area.id))
    );
    let log: AuditLog = app.get("/api/admin/audit", Some(&admin)).await.json();
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "org_unit_added" && e.target.contains("堡子村一片"))
    );
}

#[tokio::test]
async fn a_renamed_village_reads_so_on_its_cases_at_once() {
    let app = TestApp::new().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    let case = app.register(&lead, &app.sample_case()).await;
    // Read (and cached) before the rename.
    let before = app.read_case(&lead, case.id).await;
    assert!(before.place.contains("渠口村"));
    let res = app
        .put_json(
            &format!("/api/admin/org/units/{}", app.fixture.villages[0]),
            Some(&admin),
            &unit(None, "渠口社区", None),
        )
        .await;
    res.expect_status(200);
    let after = app.read_case(&lead, case.id).await;
    assert!(after.place.contains("渠口社区"), "{}", after.place);
    let board: shared::api::Board = app.get("/api/board", Some(&lead)).await.json();
    assert_eq!(board.cards[0].village, "渠口社区");
    // A sibling's name is taken; the parent cannot change; a town keeps a code of its own.
    let path = format!("/api/admin/org/units/{}", app.fixture.villages[0]);
    assert_eq!(
        fields(
            &app.put_json(&path, Some(&admin), &unit(None, "三工村", None))
                .await
        ),
        ["name"]
    );
    assert_eq!(
        fields(
            &app.put_json(
                &path,
                Some(&admin),
                &unit(Some(app.fixture.town_b), "渠口村", None)
            )
            .await
        ),
        ["parent_id"]
    );
    let town = format!("/api/admin/org/units/{}", app.fixture.town_a);
    assert_eq!(
        fields(
            &app.put_json(&town, Some(&admin), &unit(None, "瓜州镇", Some("LY")))
                .await
        ),
        ["code"]
    );
    app.put_json(
        "/api/admin/org/units/999999",
        Some(&admin),
        &unit(None, "x", None),
    )
    .await
    .expect_status(404);
}

#[tokio::test]
async fn a_sheet_is_checked_whole_and_written_only_without_errors() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let units_before = app.count("org_units").await;
    let bad = "乡镇,村,片,组,代码,户数\n\
               ,渠口村,,,,\n\
               瓜州镇,,一片,,,\n\
               锁阳城镇,堡子村,,,,\n\
               西湖镇,西湖村,,,GZ,\n\
               瓜州镇,三工村,三工村一片,一组,,abc\n\
               瓜州镇,新渠村,,,,\n\
               瓜州镇,新渠村,,,,\n";
    let preview = import(&app, &admin, &csv(bad, true)).await;
    assert!(!preview.committed);
    let lines: Vec<(u32, &str)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (2, "town"),
            (3, "village"),
            (4, "code"),
            (5, "code"),
            (6, "households"),
            (8, "")
        ]
    );
    assert_eq!(
        app.count("org_units").await,
        units_before,
        "nothing written"
    );

    let good = "town,village,area,group,code,households\n\
                瓜州镇,渠口村,渠口村一片,渠口村一片三组,,38\n\
                锁阳城镇,堡子村,,,SY,\n\
                锁阳城镇,南坝村,南坝村一片,,,\n";
    let preview = import(&app, &admin, &csv(good, false)).await;
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(
        (
            preview.new_towns,
            preview.new_villages,
            preview.new_areas,
            preview.new_groups
        ),
        (1, 2, 1, 1)
    );
    assert!(!preview.committed);
    assert_eq!(
        app.count("org_units").await,
        units_before,
        "a preview writes nothing"
    );
    let done = import(&app, &admin, &csv(good, true)).await;
    assert!(done.committed);
    assert_eq!(app.count("org_units").await, units_before + 5);
    let tree: Vec<AdminUnit> = app.get("/api/admin/org", Some(&admin)).await.json();
    let town = tree
        .iter()
        .find(|u| u.name == "锁阳城镇")
        .unwrap_or_else(|| panic!("no town in {tree:?}"));
    assert_eq!(town.code.as_deref(), Some("SY"));
    let households: Option<i64> =
        sqlx::query_scalar("SELECT households FROM org_units WHERE name = '渠口村一片三组'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(households, Some(38));
    // The same sheet again adds nothing.
    let again = import(&app, &admin, &csv(good, true)).await;
    assert_eq!(
        (
            again.new_towns,
            again.new_villages,
            again.new_areas,
            again.new_groups
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(app.count("org_units").await, units_before + 5);
}

#[tokio::test]
async fn an_xlsx_sheet_imports_like_a_csv_and_an_unreadable_file_is_named() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 4]; 3] = [
        ["乡镇", "村(社区)", "代码", "户数"],
        ["西湖镇", "西湖村", "XH", ""],
        ["西湖镇", "向阳村", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                let (r, c) = (u32::try_from(r).unwrap_or(0), u16::try_from(c).unwrap_or(0));
                sheet
                    .write_string(r, c, *cell)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    sheet
        .write_number(2, 3, 120.0)
        .unwrap_or_else(|e| panic!("{e}"));
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let req = OrgImport {
        format: SheetFormat::Xlsx,
        data: base64::engine::general_purpose::STANDARD.encode(&bytes),
        commit: true,
    };
    let done = import(&app, &admin, &req).await;
    assert!(done.committed, "{:?}", done.errors);
    assert_eq!((done.new_towns, done.new_villages), (1, 2));
    assert_eq!(done.rows[1].households, Some(120));

    for data in ["not base64!", "aGVsbG8gd29ybGQ="] {
        let bad = OrgImport {
            format: SheetFormat::Xlsx,
            data: data.into(),
            commit: false,
        };
        assert_eq!(
            fields(
                &app.post_json("/api/admin/org/import", Some(&admin), &bad)
                    .await
            ),
            ["data"]
        );
    }
    let lead = app.login("lead").await;
    app.post_json("/api/admin/org/import", Some(&lead), &req)
        .await
        .expect_status(403);
}

fn department(town: i64, name: &str, days: u16) -> DepartmentForm {
    DepartmentForm {
        town_id: town,
        name: name.into(),
        kind: DepartmentKind::Functional,
        response_days: days,
        active: true,
    }
}

#[tokio::test]
async fn departments_are_kept_per_town_and_refused_by_name() {
    let app = TestApp::new().await;
    let (admin, lead_b) = (app.login("admin").await, app.login("lead_b").await);
    let town_b = app.fixture.town_b;
    let res = app
        .post_json(
            "/api/admin/departments",
            Some(&admin),
            &department(town_b, "人社所", 5),
        )
        .await;
    res.expect_status(201);
    let added: AdminDepartment = res.json();
    let theirs: Vec<Department> = app.get("/api/departments", Some(&lead_b)).await.json();
    assert!(
        theirs
            .iter()
            .any(|d| d.id == added.id && d.response_days == 5)
    );

    for (form, expected) in [
        (department(town_b, "人社所", 3), "name"),
        (department(town_b, " ", 3), "name"),
        (department(town_b, "林业站", 0), "response_days"),
        (department(town_b, "林业站", 31), "response_days"),
        (department(app.fixture.villages[0], "林业站", 3), "town_id"),
    ] {
        assert_eq!(
            fields(
                &app.post_json("/api/admin/departments", Some(&admin), &form)
                    .await
            ),
            [expected],
            "{form:?}"
        );
    }
    // Deactivated: no longer offered for routing, still listed for the administrator.
    let path = format!("/api/admin/departments/{}", added.id);
    let mut off = department(town_b, "人社所", 5);
    off.active = false;
    app.put_json(&path, Some(&admin), &off)
        .await
        .expect_status(200);
    let theirs: Vec<Department> = app.get("/api/departments", Some(&lead_b)).await.json();
    assert!(!theirs.iter().any(|d| d.id == added.id));
    let all: Vec<AdminDepartment> = app.get("/api/admin/departments", Some(&admin)).await.json();
    assert!(all.iter().any(|d| d.id == added.id && !d.active));
    // It cannot move to another town.
    let moved = department(app.fixture.town_a, "人社所", 5);
    assert_eq!(
        fields(&app.put_json(&path, Some(&admin), &moved).await),
        ["town_id"]
    );
    app.post_json(
        "/api/admin/departments",
        Some(&lead_b),
        &department(town_b, "x", 3),
    )
    .await
    .expect_status(403);
}

#[tokio::test]
async fn a_new_town_set_up_from_nothing_registers_its_first_case() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let done = import(
        &app,
        &admin,
        &csv("乡镇,村,片,代码\n三道沟镇,三道沟村,三道沟村一片,SD\n", true),
    )
    .await;
    assert!(done.committed);
    let tree: Vec<AdminUnit> = app.get("/api/admin/org", Some(&admin)).await.json();
    let id_of = |name: &str| {
        tree.iter()
            .find(|u| u.name == name)
            .map(|u| u.id)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let (town, village) = (id_of("三道沟镇"), id_of("三道沟村"));
    app.post_json(
        "/api/admin/departments",
        Some(&admin),
        &department(town, "司法所", 3),
    )
    .await
    .expect_status(201);
    let res = app
        .post_json(
            "/api/admin/accounts",
            Some(&admin),
            &AccountForm {
                username: "lead.sd".into(),
                display_name: "田主任".into(),
                role: Role::Lead,
                town_id: Some(town),
                department_id: None,
                org_unit_id: None,
                line: Vec::new(),
                active: true,
            },
        )
        .await;
    res.expect_status(201);
    let issued: IssuedPassword = res.json();
    let res = app
        .post_json(
            "/api/auth/login",
            None,
            &LoginRequest {
                username: "lead.sd".into(),
                password: issued.password.clone(),
            },
        )
        .await;
    let cookie = concord_tests::cookie_of(&res.headers).unwrap_or_default();
    app.post_json(
        "/api/me/password",
        Some(&cookie),
        &ChangePassword {
            current: issued.password.clone(),
            new_password: "三道沟的春天来得晚2026".into(),
        },
    )
    .await
    .expect_status(200);
    let mut case = app.sample_case();
    case.village_id = village;
    case.area_id = None;
    case.group_id = None;
    let res = app.post_json("/api/cases", Some(&cookie), &case).await;
    res.expect_status(201);
    let first: shared::model::CaseDetail = res.json();
    assert_eq!(first.town_id, town);
    let board: shared::api::Board = app.get("/api/board", Some(&cookie)).await.json();
    assert_eq!(
        board.cards.iter().map(|c| c.id).collect::<Vec<_>>(),
        [first.id]
    );
}

#[tokio::test]
async fn a_new_town_starts_with_its_center_which_the_administrator_completes() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let town = add(
        &app,
        &admin,
        &unit(Some(app.fixture.county), "河东镇", Some("HD")),
    )
    .await;
    let centers: Vec<shared::orgsheet::TownCenter> =
        app.get("/api/admin/centers", Some(&admin)).await.json();
    let started = centers
        .iter()
        .find(|c| c.town_id == town.id)
        .unwrap_or_else(|| panic!("no center for the new town: {centers:?}"));
    assert_eq!(started.center.name, "河东镇综治中心");
    let path = format!("/api/admin/centers/{}", town.id);
    let center = |name: &str, phone: &str| shared::api::Center {
        name: name.into(),
        address: "瓜州县河东镇政府路 1 号".into(),
        phone: phone.into(),
    };
    assert_eq!(
        fields(
            &app.put_json(&path, Some(&admin), &center(" ", "0937-5560001"))
                .await
        ),
        ["name"]
    );
    assert_eq!(
        fields(
            &app.put_json(&path, Some(&admin), &center("河东镇综治中心", "call us"))
                .await
        ),
        ["phone"]
    );
    let res = app
        .put_json(
            &path,
            Some(&admin),
            &center("河东镇综治中心", "0937-5560001"),
        )
        .await;
    res.expect_status(200);
    app.put_json(
        &format!("/api/admin/centers/{}", app.fixture.villages[0]),
        Some(&admin),
        &center("x", "1"),
    )
    .await
    .expect_status(404);
    let lead = app.login("lead").await;
    app.put_json(&path, Some(&lead), &center("x", "1"))
        .await
        .expect_status(403);
}

#[tokio::test]
async fn new_cases_take_the_administrators_clock_and_old_ones_keep_theirs() {
    use shared::deadline::{ClockSetting, ClockSettingForm, DayUnit, Track};
    let app = TestApp::new().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    let mut petition = app.sample_case();
    petition.kind = shared::model::CaseKind::Petition;
    let before = app.register(&lead, &petition).await;
    assert_eq!(
        (before.clock.track, before.clock.days),
        (Track::Petition, 60)
    );

    let list: Vec<ClockSetting> = app.get("/api/admin/clocks", Some(&admin)).await.json();
    assert_eq!(list.len(), Track::ALL.len());
    let p = list
        .iter()
        .find(|s| s.track == Track::Petition)
        .unwrap_or_else(|| panic!("{list:?}"));
    assert!(p.statutory && p.days == 60);

    let form = |days, unit| ClockSettingForm { days, unit };
    let path = "/api/admin/clocks/petition";
    assert_eq!(
        fields(
            &app.put_json(path, Some(&admin), &form(61, DayUnit::Calendar))
                .await
        ),
        ["days"]
    );
    assert_eq!(
        fields(
            &app.put_json(path, Some(&admin), &form(40, DayUnit::Working))
                .await
        ),
        ["unit"]
    );
    app.put_json(
        "/api/admin/clocks/no_such_track",
        Some(&admin),
        &form(5, DayUnit::Calendar),
    )
    .await
    .expect_status(404);
    app.put_json(path, Some(&lead), &form(45, DayUnit::Calendar))
        .await
        .expect_status(403);
    let res = app
        .put_json(path, Some(&admin), &form(45, DayUnit::Calendar))
        .await;
    res.expect_status(200);
    // A track no law fixes may also change its unit.
    app.put_json(
        "/api/admin/clocks/demand",
        Some(&admin),
        &form(10, DayUnit::Working),
    )
    .await
    .expect_status(200);

    let after = app.register(&lead, &petition).await;
    assert_eq!(after.clock.days, 45);
    assert_eq!(
        after.due_on,
        before.due_on - chrono::Duration::days(15),
        "registered the same day: 15 days sooner"
    );
    // The earlier case keeps its 60 days.
    let again = app.read_case(&lead, before.id).await;
    assert_eq!((again.clock.days, again.due_on), (60, before.due_on));
    let log: AuditLog = app.get("/api/admin/audit", Some(&admin)).await.json();
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "clock_changed" && e.target == "petition")
    );
}

#[tokio::test]
async fn a_renamed_category_names_new_cases_and_a_retired_one_is_not_offered() {
    use shared::categories::{CategoryForm, CategorySetting};
    use shared::model::Category;
    let app = TestApp::new().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    let old = app.register(&lead, &app.sample_case()).await;
    assert!(old.category_name.is_none());

    let form = |zh: &str, en: &str, retired| CategoryForm {
        zh: zh.into(),
        en: en.into(),
        retired,
    };
    let path = "/api/admin/categories/neighbour";
    assert_eq!(
        fields(
            &app.put_json(path, Some(&admin), &form(" ", "Neighbourhood", false))
                .await
        ),
        ["zh"]
    );
    app.put_json(
        "/api/admin/categories/nonsense",
        Some(&admin),
        &form("x", "x", false),
    )
    .await
    .expect_status(404);
    app.put_json(
        path,
        Some(&lead),
        &form("邻里关系纠纷", "Neighbourhood", false),
    )
    .await
    .expect_status(403);
    app.put_json(
        path,
        Some(&admin),
        &form("邻里关系纠纷", "Neighbourhood", false),
    )
    .await
    .expect_status(200);

    let new = app.register(&lead, &app.sample_case()).await;
    assert_eq!(
        new.category_name.as_ref().map(|n| n.zh.as_str()),
        Some("邻里关系纠纷")
    );
    let board: shared::api::Board = app.get("/api/board", Some(&lead)).await.json();
    let card = |id: i64| {
        board
            .cards
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .unwrap_or_else(|| panic!("no card {id}"))
    };
    assert_eq!(
        card(new.id).category_name.map(|n| n.en),
        Some("Neighbourhood".to_owned())
    );
    assert!(
        card(old.id).category_name.is_none(),
        "old cases keep theirs"
    );
    assert!(app.read_case(&lead, old.id).await.category_name.is_none());

    // Retired: refused at intake by name, listed as retired; old cases keep it.
    app.put_json(
        path,
        Some(&admin),
        &form("邻里关系纠纷", "Neighbourhood", true),
    )
    .await
    .expect_status(200);
    assert_eq!(
        fields(
            &app.post_json("/api/cases", Some(&lead), &app.sample_case())
                .await
        ),
        ["category"]
    );
    let list: Vec<CategorySetting> = app.get("/api/categories", Some(&lead)).await.json();
    assert!(
        list.iter()
            .any(|s| s.category == Category::Neighbour && s.retired && s.renamed)
    );
    assert_eq!(
        app.read_case(&lead, old.id).await.category,
        Category::Neighbour
    );
}

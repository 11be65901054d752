//! Accounts and passwords against the real router: the administrator creates an account with
//! a one-time password (shown once; the person can do nothing but change it), edits and
//! deactivates accounts (never the last administrator), resets passwords (the person's
//! sessions end); everyone changes their own password (the current one checked, weak ones
//! refused, the other sessions ended); every change in the audit log; ten creations of one
//! username at once make one account (the others refused as taken, or told to try again).

use concord_tests::{TestApp, join_all};
use shared::admin::{Account, AccountForm, Accounts, AuditLog, ChangePassword, IssuedPassword};
use shared::api::LoginRequest;
use shared::model::{Category, Role, UserInfo};

fn clerk_form(app: &TestApp, username: &str) -> AccountForm {
    AccountForm {
        username: username.to_owned(),
        display_name: "钱受理".to_owned(),
        role: Role::Clerk,
        town_id: Some(app.fixture.town_a),
        department_id: None,
        org_unit_id: None,
        line: Vec::new(),
        active: true,
    }
}

async fn login_with(app: &TestApp, username: &str, password: &str) -> concord_tests::TestResponse {
    app.post_json(
        "/api/auth/login",
        None,
        &LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        },
    )
    .await
}

fn cookie(res: &concord_tests::TestResponse) -> String {
    concord_tests::cookie_of(&res.headers).unwrap_or_else(|| panic!("no cookie: {}", res.text()))
}

fn fields(res: &concord_tests::TestResponse) -> Vec<String> {
    res.expect_status(422);
    res.error().fields.into_iter().map(|f| f.field).collect()
}

#[tokio::test]
async fn a_new_account_signs_in_once_with_its_one_time_password_and_must_set_its_own() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let res = app
        .post_json(
            "/api/admin/accounts",
            Some(&admin),
            &clerk_form(&app, "qian.clerk"),
        )
        .await;
    res.expect_status(201);
    let issued: IssuedPassword = res.json();
    assert_eq!(issued.password.len(), 12);
    assert!(issued.account.must_change_password);
    // The list has it; the password is nowhere in it.
    let list = app.get("/api/admin/accounts", Some(&admin)).await;
    assert!(list.text().contains("qian.clerk") && !list.text().contains(&issued.password));

    let res = login_with(&app, "qian.clerk", &issued.password).await;
    res.expect_status(200);
    assert!(res.json::<UserInfo>().must_change_password);
    let c = cookie(&res);
    // Nothing but changing it.
    app.get("/api/board", Some(&c)).await.expect_status(403);
    app.get("/api/me", Some(&c)).await.expect_status(200);
    let weak = ChangePassword {
        current: issued.password.clone(),
        new_password: "1234567890".into(),
    };
    assert_eq!(
        fields(&app.post_json("/api/me/password", Some(&c), &weak).await),
        ["new_password"]
    );
    let wrong = ChangePassword {
        current: "not-the-password".into(),
        new_password: "河西走廊的风很大2026".into(),
    };
    assert_eq!(
        fields(&app.post_json("/api/me/password", Some(&c), &wrong).await),
        ["current"]
    );
    let good = ChangePassword {
        current: issued.password.clone(),
        new_password: "河西走廊的风很大2026".into(),
    };
    let res = app.post_json("/api/me/password", Some(&c), &good).await;
    res.expect_status(200);
    assert!(!res.json::<UserInfo>().must_change_password);
    app.get("/api/board", Some(&c)).await.expect_status(200);
    login_with(&app, "qian.clerk", &issued.password)
        .await
        .expect_status(401);
    login_with(&app, "qian.clerk", "河西走廊的风很大2026")
        .await
        .expect_status(200);
}

#[tokio::test]
async fn every_bad_account_is_refused_by_field_and_only_the_administrator_manages_them() {
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let admin = app.login("admin").await;
    let lead = app.login("lead").await;
    for (path, body) in [
        ("/api/admin/accounts", Some(clerk_form(&app, "x.clerk"))),
        (
            &*format!("/api/admin/accounts/{}/reset-password", fx.clerk),
            None,
        ),
    ] {
        let res = match body {
            Some(b) => app.post_json(path, Some(&lead), &b).await,
            None => {
                app.post_json(path, Some(&lead), &serde_json::json!({}))
                    .await
            }
        };
        res.expect_status(403);
    }
    app.get("/api/admin/accounts", Some(&lead))
        .await
        .expect_status(403);
    app.get("/api/admin/audit", Some(&lead))
        .await
        .expect_status(403);
    let count = app.count("users").await;
    let cases: Vec<(AccountForm, &str)> = vec![
        (
            AccountForm {
                username: "Bad Name".into(),
                ..clerk_form(&app, "")
            },
            "username",
        ),
        (clerk_form(&app, "lead"), "username"),
        (
            AccountForm {
                town_id: None,
                ..clerk_form(&app, "a.clerk")
            },
            "town_id",
        ),
        (
            AccountForm {
                town_id: Some(fx.villages[0]),
                ..clerk_form(&app, "b.clerk")
            },
            "town_id",
        ),
        (
            AccountForm {
                role: Role::Liaison,
                ..clerk_form(&app, "c.liaison")
            },
            "department_id",
        ),
        (
            AccountForm {
                role: Role::GridWorker,
                org_unit_id: Some(fx.villages[0]),
                ..clerk_form(&app, "d.grid")
            },
            "org_unit_id",
        ),
        (
            AccountForm {
                role: Role::GridWorker,
                org_unit_id: Some(fx.village_b),
                ..clerk_form(&app, "e.grid")
            },
            "org_unit_id",
        ),
        (
            AccountForm {
                display_name: " ".into(),
                ..clerk_form(&app, "f.clerk")
            },
            "display_name",
        ),
        // A county department oversees at least one category, and has no town…
        (
            AccountForm {
                role: Role::CountyDepartment,
                town_id: None,
                ..clerk_form(&app, "h.county")
            },
            "line",
        ),
        (
            AccountForm {
                role: Role::CountyDepartment,
                line: vec![Category::Labour],
                ..clerk_form(&app, "i.county")
            },
            "town_id",
        ),
        (
            AccountForm {
                role: Role::CountyDepartment,
                town_id: None,
                line: vec![Category::Labour, Category::Labour],
                ..clerk_form(&app, "j.county")
            },
            "line[1]",
        ),
        // …and no other role has a line.
        (
            AccountForm {
                line: vec![Category::Labour],
                ..clerk_form(&app, "k.clerk")
            },
            "line",
        ),
    ];
    for (form, field) in cases {
        let res = app
            .post_json("/api/admin/accounts", Some(&admin), &form)
            .await;
        assert_eq!(fields(&res), [field], "{form:?}");
    }
    assert_eq!(app.count("users").await, count, "nothing was stored");
    // A liaison of another town's department.
    let res = app
        .post_json(
            "/api/admin/accounts",
            Some(&admin),
            &AccountForm {
                role: Role::Liaison,
                town_id: Some(fx.town_b),
                department_id: Some(fx.police_station),
                ..clerk_form(&app, "g.liaison")
            },
        )
        .await;
    assert_eq!(fields(&res), ["department_id"]);
    // The only administrator can be neither deactivated nor given another role.
    let me: Account = app
        .get("/api/admin/accounts", Some(&admin))
        .await
        .json::<Accounts>()
        .items
        .into_iter()
        .find(|a| a.username == "admin")
        .unwrap_or_else(|| panic!("no admin"));
    let form = AccountForm {
        username: String::new(),
        display_name: me.display_name.clone(),
        role: Role::Admin,
        town_id: None,
        department_id: None,
        org_unit_id: None,
        line: Vec::new(),
        active: false,
    };
    let res = app
        .put_json(
            &format!("/api/admin/accounts/{}", me.id),
            Some(&admin),
            &form,
        )
        .await;
    assert_eq!(fields(&res), ["active"]);
    let res = app
        .put_json(
            &format!("/api/admin/accounts/{}", me.id),
            Some(&admin),
            &AccountForm {
                role: Role::Clerk,
                town_id: Some(fx.town_a),
                active: true,
                ..form.clone()
            },
        )
        .await;
    assert_eq!(fields(&res), ["role"]);
    app.put_json(
        "/api/admin/accounts/999999",
        Some(&admin),
        &clerk_form(&app, ""),
    )
    .await
    .expect_status(404);
}

#[tokio::test]
async fn a_reset_or_a_deactivation_ends_the_persons_sessions_and_the_audit_log_keeps_every_change()
{
    let app = TestApp::new().await;
    let fx = app.fixture.clone();
    let admin = app.login("admin").await;
    let clerk = app.login("clerk").await;
    app.get("/api/board", Some(&clerk)).await.expect_status(200);
    let res = app
        .post_json(
            &format!("/api/admin/accounts/{}/reset-password", fx.clerk),
            Some(&admin),
            &serde_json::json!({}),
        )
        .await;
    res.expect_status(200);
    let issued: IssuedPassword = res.json();
    app.get("/api/board", Some(&clerk)).await.expect_status(401);
    login_with(&app, "clerk", concord_tests::PASSWORD)
        .await
        .expect_status(401);
    let res = login_with(&app, "clerk", &issued.password).await;
    res.expect_status(200);
    let c = cookie(&res);
    app.get("/api/board", Some(&c)).await.expect_status(403);

    // Renamed, then deactivated: the session ends, signing in fails.
    let mut form = AccountForm {
        username: String::new(),
        display_name: "王受理(窗口一)".into(),
        role: Role::Clerk,
        town_id: Some(fx.town_a),
        department_id: None,
        org_unit_id: None,
        line: Vec::new(),
        active: true,
    };
    app.put_json(
        &format!("/api/admin/accounts/{}", fx.clerk),
        Some(&admin),
        &form,
    )
    .await
    .expect_status(200);
    form.active = false;
    app.put_json(
        &format!("/api/admin/accounts/{}", fx.clerk),
        Some(&admin),
        &form,
    )
    .await
    .expect_status(200);
    app.get("/api/me", Some(&c)).await.expect_status(401);
    login_with(&app, "clerk", &issued.password)
        .await
        .expect_status(401);

    // Changing one's own password ends one's other sessions, not this one.
    let lead1 = app.login("lead").await;
    let lead2 = app.login("lead").await;
    app.post_json(
        "/api/me/password",
        Some(&lead1),
        &ChangePassword {
            current: concord_tests::PASSWORD.into(),
            new_password: "祁连山下的新密码-1".into(),
        },
    )
    .await
    .expect_status(200);
    app.get("/api/me", Some(&lead1)).await.expect_status(200);
    app.get("/api/me", Some(&lead2)).await.expect_status(401);

    let log: AuditLog = app.get("/api/admin/audit", Some(&admin)).await.json();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "password.change",
            "account.update",
            "account.update",
            "account.reset_password"
        ]
    );
    let rename = &log.items[2];
    assert!(
        rename.before.contains("王受理") && rename.after.contains("王受理(窗口一)"),
        "{rename:?}"
    );
    assert!(!rename.before.contains("active"));
    assert!(log.items[1].after.contains("\"active\":false"));
    let only: AuditLog = app
        .get(
            "/api/admin/audit?action=account.reset_password",
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(only.items.len(), 1);
    assert_eq!(only.items[0].target, "clerk");
}

#[tokio::test]
async fn ten_creations_of_one_username_at_once_make_one_account() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let form = clerk_form(&app, "same.name");
    let answers =
        join_all((0..10).map(|_| app.post_json("/api/admin/accounts", Some(&admin), &form))).await;
    let created = answers.iter().filter(|r| r.status.as_u16() == 201).count();
    assert_eq!(created, 1);
    // The rest: the username taken, or (when every hashing thread is busy) 429 to try again.
    for r in answers.iter().filter(|r| r.status.as_u16() != 201) {
        if r.status.as_u16() == 429 {
            assert!(r.error().retry_after.is_some());
        } else {
            assert_eq!(fields(r), ["username"]);
        }
    }
    let list: Accounts = app.get("/api/admin/accounts", Some(&admin)).await.json();
    assert_eq!(
        list.items
            .iter()
            .filter(|a| a.username == "same.name")
            .count(),
        1
    );
}

//! Accounts as the administrator keeps them, passwords, and the administrative audit log.

use shared::admin::{Account, AuditEntry};
use sqlx::{AnyConnection, FromRow};

use super::{from_millis, parse_enum};

#[derive(Debug, FromRow)]
struct Row {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    town_id: Option<i64>,
    town: Option<String>,
    department_id: Option<i64>,
    department: Option<String>,
    org_unit_id: Option<i64>,
    org_unit: Option<String>,
    active: i64,
    must_change_password: i64,
    created_at: i64,
    county_line: String,
}

const SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.town_id, t.name AS town, \
    u.department_id, d.name AS department, u.org_unit_id, o.name AS org_unit, u.active, \
    u.must_change_password, u.created_at, u.county_line FROM users u \
    LEFT JOIN org_units t ON t.id = u.town_id LEFT JOIN departments d ON d.id = u.department_id \
    LEFT JOIN org_units o ON o.id = u.org_unit_id";

fn account(r: Row) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        role: parse_enum("role", &r.role)?,
        town_id: r.town_id,
        town: r.town.unwrap_or_default(),
        department_id: r.department_id,
        department: r.department,
        org_unit_id: r.org_unit_id,
        org_unit: r.org_unit,
        line: super::users::line_of(&r.county_line),
        active: r.active == 1,
        must_change_password: r.must_change_password == 1,
        created_at: from_millis(r.created_at),
    })
}

/// Every account but the server's own, by town, role and username.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<Account>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE u.username <> 'system' ORDER BY t.name, u.role, u.username"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(account).collect()
}

/// One account.
pub async fn one(conn: &mut AnyConnection, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE u.id = $1 AND u.username <> 'system'"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(account).transpose()
}

/// Whether the username is taken (by any account, active or not).
pub async fn username_taken(conn: &mut AnyConnection, username: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Active administrators other than `except`.
pub async fn other_active_admins(
    conn: &mut AnyConnection,
    except: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
    )
    .bind(except)
    .fetch_one(conn)
    .await
}

/// Changes an account's name, role, place and whether it is active.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    f: &shared::admin::AccountForm,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, town_id = $3, department_id = $4, \
         org_unit_id = $5, active = $6, county_line = $7 WHERE id = $8",
    )
    .bind(f.display_name.trim())
    .bind(f.role.as_str())
    .bind(f.town_id)
    .bind(f.department_id)
    .bind(f.org_unit_id)
    .bind(i64::from(f.active))
    .bind(super::users::join_line(&f.line))
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
}

/// Sets an account's password hash; `must_change` when the administrator issued it.
pub async fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    hash: &str,
    must_change: bool,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, \
         password_changed_at = $3 WHERE id = $4",
    )
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(now_ms)
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
}

/// Ends every session of `user_id` but `keep` (a token hash).
pub async fn end_sessions(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await
        .map(drop)
}

/// Records an administrative change.
pub async fn audit(
    conn: &mut AnyConnection,
    actor_id: i64,
    (action, target): (&str, &str),
    (before, after): (&str, &str),
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO admin_audit (at, actor_id, action, target, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_ms)
    .bind(actor_id)
    .bind(action)
    .bind(target)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await
    .map(drop)
}

/// The audit log from `from_ms` until `until_ms`, newest first, optionally one action's.
pub async fn audit_log(
    conn: &mut AnyConnection,
    action: Option<&str>,
    (from_ms, until_ms): (i64, i64),
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.at, u.display_name, a.action, a.target, a.before_json, a.after_json \
         FROM admin_audit a JOIN users u ON u.id = a.actor_id \
         WHERE a.at >= $1 AND a.at < $2 AND ($3 = '' OR a.action = $3) \
         ORDER BY a.at DESC, a.id DESC LIMIT $4",
    )
    .bind(from_ms)
    .bind(until_ms)
    .bind(action.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, actor, action, target, before, after)| AuditEntry {
                id,
                at: from_millis(at),
                actor,
                action,
                target,
                before,
                after,
            },
        )
        .collect())
}

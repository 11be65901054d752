//! User accounts, and mediators' specialties (kept on the mediator roster).

use shared::model::{Category, Role, UserInfo};
use sqlx::{AnyConnection, FromRow};

use super::parse_enum;

/// A user as stored.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub town_id: Option<i64>,
    pub department_id: Option<i64>,
    pub org_unit_id: Option<i64>,
    pub active: i64,
    /// The kind of the user's department ('' for none).
    pub department_kind: String,
    pub must_change_password: i64,
    /// A county department's line, comma-separated.
    pub county_line: String,
}

impl UserRow {
    /// The user as the browser knows them. The administrator, who works for no single town,
    /// has `town_id` 0 (no town has that id).
    pub fn info(&self) -> Result<UserInfo, sqlx::Error> {
        Ok(UserInfo {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: parse_enum::<Role>("role", &self.role)?,
            town_id: self.town_id.unwrap_or(0),
            department_id: self.department_id,
            org_unit_id: self.org_unit_id,
            police: self.department_kind == "police",
            must_change_password: self.must_change_password == 1,
            line: line_of(&self.county_line),
        })
    }
}

const COLUMNS: &str = "id, username, password_hash, display_name, role, town_id, department_id, \
    org_unit_id, active, COALESCE((SELECT d.kind FROM departments d \
    WHERE d.id = users.department_id), '') AS department_kind, must_change_password, county_line";

/// The user with this username, active or not.
pub async fn by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(conn)
        .await
}

/// The user with this id.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub town_id: Option<i64>,
    pub department_id: Option<i64>,
    pub org_unit_id: Option<i64>,
}

/// Creates an account; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    user: &NewUser<'_>,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, display_name, role, town_id, department_id, \
         org_unit_id, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
    )
    .bind(user.username)
    .bind(user.password_hash)
    .bind(user.display_name)
    .bind(user.role.as_str())
    .bind(user.town_id)
    .bind(user.department_id)
    .bind(user.org_unit_id)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    // A grid worker or town leader given a unit covers it from today; a mediator is on the
    // mediator roster.
    if let (Some(town), Some(unit)) = (user.town_id, user.org_unit_id)
        && let Some((level, _)) = super::grid::unit_of_town(&mut *conn, town, unit).await?
        && shared::grid::duty_of(level).is_some_and(|(_, role)| role == user.role)
    {
        let today = super::from_millis(now_ms).date_naive();
        super::grid::assign(&mut *conn, town, unit, Some(id), today, None, now_ms).await?;
    }
    if let (Role::Mediator, Some(town)) = (user.role, user.town_id) {
        sqlx::query(
            "INSERT INTO roster_people (town_id, user_id, kind, name, serves_unit_id, created_at) \
             VALUES ($1, $2, 'mediator', $3, $4, $5)",
        )
        .bind(town)
        .bind(id)
        .bind(user.display_name)
        .bind(user.org_unit_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Sets a county department's line (empty for any other role).
pub async fn set_line(
    conn: &mut AnyConnection,
    user_id: i64,
    line: &[Category],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET county_line = $1 WHERE id = $2")
        .bind(join_line(line))
        .bind(user_id)
        .execute(conn)
        .await
        .map(drop)
}

/// A line as stored: the categories' codes, comma-separated.
pub fn join_line(line: &[Category]) -> String {
    line.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Records a mediator's specialties.
pub async fn add_specialties(
    conn: &mut AnyConnection,
    user_id: i64,
    categories: &[Category],
) -> Result<(), sqlx::Error> {
    for c in categories {
        sqlx::query(
            "INSERT INTO roster_specialties (person_id, category) \
             SELECT id, $2 FROM roster_people WHERE user_id = $1",
        )
        .bind(user_id)
        .bind(c.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An active mediator of a town, with their specialties.
#[derive(Debug, Clone)]
pub struct Mediator {
    pub id: i64,
    pub display_name: String,
    pub specialties: Vec<Category>,
}

/// The active mediators of a town (active accounts not marked inactive on the roster), by
/// name.
pub async fn mediators(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<Mediator>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.display_name, s.category FROM users u \
         LEFT JOIN roster_people p ON p.user_id = u.id \
         LEFT JOIN roster_specialties s ON s.person_id = p.id \
         WHERE u.town_id = $1 AND u.role = 'mediator' AND u.active = 1 \
         AND COALESCE(p.active, 1) = 1 \
         ORDER BY u.display_name, u.id, s.category",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Mediator> = Vec::new();
    for (id, name, category) in rows {
        if out.last().map(|m| m.id) != Some(id) {
            out.push(Mediator {
                id,
                display_name: name,
                specialties: Vec::new(),
            });
        }
        if let (Some(m), Some(c)) = (out.last_mut(), category) {
            m.specialties.push(parse_enum("category", &c)?);
        }
    }
    for m in &mut out {
        m.specialties.sort();
    }
    Ok(out)
}

/// Whether an active mediator with this id works in this town.
pub async fn is_mediator_of_town(
    conn: &mut AnyConnection,
    id: i64,
    town_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT display_name FROM users WHERE id = $1 AND town_id = $2 AND role = 'mediator' \
         AND active = 1",
    )
    .bind(id)
    .bind(town_id)
    .fetch_optional(conn)
    .await
}

/// A stored line, its categories in order; a code this version does not know is skipped (an
/// account is not refused every request for it).
pub fn line_of(stored: &str) -> Vec<Category> {
    stored
        .split(',')
        .filter_map(|code| Category::parse(code.trim()))
        .collect()
}

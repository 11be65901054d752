//! The org tree (county → town → village → area → group) and the departments of each town.

use shared::model::{Department, DepartmentKind, OrgLevel, OrgUnit};
use sqlx::{AnyConnection, FromRow};

use super::parse_enum;

/// An org unit as stored.
#[derive(Debug, Clone, FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: String,
    pub name: String,
    pub town_id: Option<i64>,
}

impl UnitRow {
    /// The unit's level.
    pub fn level(&self) -> Result<OrgLevel, sqlx::Error> {
        parse_enum("org level", &self.level)
    }

    /// The unit as it travels.
    pub fn into_unit(self) -> Result<OrgUnit, sqlx::Error> {
        Ok(OrgUnit {
            level: self.level()?,
            id: self.id,
            parent_id: self.parent_id,
            name: self.name,
        })
    }
}

/// A town's subtree: the town, its villages, areas and groups (tree order is left to the
/// reader; rows come by level, then name).
pub async fn town_tree(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<OrgUnit>, sqlx::Error> {
    let rows: Vec<UnitRow> = sqlx::query_as(
        "SELECT id, parent_id, level, name, town_id FROM org_units WHERE town_id = $1 \
         ORDER BY id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(UnitRow::into_unit).collect()
}

/// Every unit of the deployment.
pub async fn all_units(conn: &mut AnyConnection) -> Result<Vec<OrgUnit>, sqlx::Error> {
    let rows: Vec<UnitRow> =
        sqlx::query_as("SELECT id, parent_id, level, name, town_id FROM org_units ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(UnitRow::into_unit).collect()
}

/// One unit.
pub async fn unit(conn: &mut AnyConnection, id: i64) -> Result<Option<UnitRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, parent_id, level, name, town_id FROM org_units WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Whether `id` is a village of the town `town_id`.
pub async fn is_village_of(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    Ok(unit(conn, id)
        .await?
        .is_some_and(|u| u.level == "village" && u.town_id == Some(town_id)))
}

/// Adds a unit below `parent_id`; `town_id` is the town it belongs to (for a town: set
/// afterwards to itself by `insert_unit`). Returns its id.
pub async fn insert_unit(
    conn: &mut AnyConnection,
    parent_id: Option<i64>,
    level: OrgLevel,
    name: &str,
    town_id: Option<i64>,
    code: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO org_units (parent_id, level, name, town_id, code) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id",
    )
    .bind(parent_id)
    .bind(level.as_str())
    .bind(name)
    .bind(town_id)
    .bind(code)
    .fetch_one(&mut *conn)
    .await?;
    if level == OrgLevel::Town {
        sqlx::query("UPDATE org_units SET town_id = $1 WHERE id = $1")
            .bind(id)
            .execute(conn)
            .await?;
    }
    Ok(id)
}

/// A town's short code for archive numbers (`GZ`), if set.
pub async fn town_code(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let code: Option<Option<String>> =
        sqlx::query_scalar("SELECT code FROM org_units WHERE id = $1")
            .bind(town_id)
            .fetch_optional(conn)
            .await?;
    Ok(code.flatten())
}

#[derive(Debug, FromRow)]
struct DepartmentRow {
    id: i64,
    name: String,
    kind: String,
    response_days: i64,
}

impl DepartmentRow {
    fn into_department(self) -> Result<Department, sqlx::Error> {
        Ok(Department {
            kind: parse_enum("department kind", &self.kind)?,
            id: self.id,
            name: self.name,
            response_days: u16::try_from(self.response_days).unwrap_or(u16::MAX),
        })
    }
}

/// The active departments of a town, by name.
pub async fn departments(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<Department>, sqlx::Error> {
    let rows: Vec<DepartmentRow> = sqlx::query_as(
        "SELECT id, name, kind, response_days FROM departments WHERE town_id = $1 AND active = 1 \
         ORDER BY id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(DepartmentRow::into_department)
        .collect()
}

/// The name of an active department of this town.
pub async fn department_of_town(
    conn: &mut AnyConnection,
    id: i64,
    town_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM departments WHERE id = $1 AND town_id = $2 AND active = 1")
        .bind(id)
        .bind(town_id)
        .fetch_optional(conn)
        .await
}

/// The name of a department.
pub async fn department_name(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM departments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The kind of a department, as stored (`police`, `functional`, `service_room`).
pub async fn department_kind(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT kind FROM departments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Adds a department to a town; returns its id.
pub async fn insert_department(
    conn: &mut AnyConnection,
    town_id: i64,
    name: &str,
    kind: DepartmentKind,
    response_days: u16,
) -> Result<i64, sqlx::Error> {
    let mediation = shared::meetings::mediation_of_department(name, kind);
    sqlx::query_scalar(
        "INSERT INTO departments (town_id, name, kind, response_days, active, mediation) \
         VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(town_id)
    .bind(name)
    .bind(kind.as_str())
    .bind(i64::from(response_days))
    .bind(mediation.map(|m| m.as_str()))
    .fetch_one(conn)
    .await
}

/// Working days a department has to answer a routing (3 unless set).
pub async fn response_days(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    let days: Option<i64> =
        sqlx::query_scalar("SELECT response_days FROM departments WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(days.unwrap_or(shared::deadline::RESPONSE_DAYS_DEFAULT))
}

/// A town's center as its receipts name it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CenterRow {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// The center of `town_id`, when one is recorded.
pub async fn center(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Option<CenterRow>, sqlx::Error> {
    sqlx::query_as("SELECT name, address, phone FROM centers WHERE town_id = $1")
        .bind(town_id)
        .fetch_optional(conn)
        .await
}

/// Every town's center that is recorded, with the town's id, by town.
pub async fn centers(conn: &mut AnyConnection) -> Result<Vec<(i64, CenterRow)>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT town_id, name, address, phone FROM centers ORDER BY town_id")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(town, name, address, phone)| {
            (
                town,
                CenterRow {
                    name,
                    address,
                    phone,
                },
            )
        })
        .collect())
}

/// Records (or replaces) the center of `town_id`.
pub async fn put_center(
    conn: &mut AnyConnection,
    town_id: i64,
    center: &CenterRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO centers (town_id, name, address, phone) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (town_id) DO UPDATE SET name = excluded.name, address = excluded.address, \
         phone = excluded.phone",
    )
    .bind(town_id)
    .bind(&center.name)
    .bind(&center.address)
    .bind(&center.phone)
    .execute(conn)
    .await
    .map(drop)
}

/// The county's id, once it is set up.
pub async fn county_id(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM org_units WHERE level = 'county' ORDER BY id LIMIT 1")
        .fetch_optional(conn)
        .await
}

/// Every unit with the towns' codes, county first, then by level and order of creation.
pub async fn admin_units(
    conn: &mut AnyConnection,
) -> Result<Vec<shared::orgsheet::AdminUnit>, sqlx::Error> {
    type Row = (i64, Option<i64>, String, String, Option<String>);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, parent_id, level, name, code FROM org_units ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, parent_id, level, name, code)| {
            let level: OrgLevel = parse_enum("org level", &level)?;
            Ok(shared::orgsheet::AdminUnit {
                id,
                parent_id,
                level,
                name,
                code: code.filter(|_| level == OrgLevel::Town),
            })
        })
        .collect()
}

/// Every town's code, by town id.
pub async fn town_codes(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code FROM org_units WHERE level = 'town' AND code IS NOT NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

/// Whether a unit beside `parent_id` (other than `except`) has this name.
pub async fn sibling_named(
    conn: &mut AnyConnection,
    parent_id: Option<i64>,
    name: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_units WHERE name = $1 AND id <> $2 \
         AND ((parent_id IS NULL AND $3 IS NULL) OR parent_id = $3)",
    )
    .bind(name)
    .bind(except.unwrap_or(0))
    .bind(parent_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Whether another town (not `except`) has this code.
pub async fn code_taken(
    conn: &mut AnyConnection,
    code: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_units WHERE level = 'town' AND code = $1 AND id <> $2",
    )
    .bind(code)
    .bind(except.unwrap_or(0))
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Renames a unit; a town's code changes with it (`None` keeps other units' code empty).
pub async fn rename_unit(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    code: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE org_units SET name = $1, code = $2 WHERE id = $3")
        .bind(name)
        .bind(code)
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}

#[derive(Debug, FromRow)]
struct AdminDepartmentRow {
    id: i64,
    town_id: i64,
    name: String,
    kind: String,
    response_days: i64,
    active: i64,
}

impl AdminDepartmentRow {
    fn into_department(self) -> Result<shared::orgsheet::AdminDepartment, sqlx::Error> {
        Ok(shared::orgsheet::AdminDepartment {
            kind: parse_enum("department kind", &self.kind)?,
            id: self.id,
            town_id: self.town_id,
            name: self.name,
            response_days: u16::try_from(self.response_days).unwrap_or(u16::MAX),
            active: self.active != 0,
        })
    }
}

const ADMIN_DEPARTMENT: &str =
    "SELECT id, town_id, name, kind, response_days, active FROM departments";

/// Every department of every town, inactive ones too.
pub async fn admin_departments(
    conn: &mut AnyConnection,
) -> Result<Vec<shared::orgsheet::AdminDepartment>, sqlx::Error> {
    let rows: Vec<AdminDepartmentRow> =
        sqlx::query_as(&format!("{ADMIN_DEPARTMENT} ORDER BY town_id, id"))
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(AdminDepartmentRow::into_department)
        .collect()
}

/// One department, active or not.
pub async fn admin_department(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<shared::orgsheet::AdminDepartment>, sqlx::Error> {
    let row: Option<AdminDepartmentRow> =
        sqlx::query_as(&format!("{ADMIN_DEPARTMENT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(AdminDepartmentRow::into_department).transpose()
}

/// Whether the town has a department (other than `except`) of this name.
pub async fn department_named(
    conn: &mut AnyConnection,
    town_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM departments WHERE town_id = $1 AND name = $2 AND id <> $3",
    )
    .bind(town_id)
    .bind(name)
    .bind(except.unwrap_or(0))
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Stores a department's changed name, kind, response time and state.
pub async fn change_department(
    conn: &mut AnyConnection,
    d: &shared::orgsheet::AdminDepartment,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE departments SET name = $1, kind = $2, response_days = $3, active = $4 \
         WHERE id = $5",
    )
    .bind(&d.name)
    .bind(d.kind.as_str())
    .bind(i64::from(d.response_days))
    .bind(i64::from(d.active))
    .bind(d.id)
    .execute(conn)
    .await
    .map(drop)
}

/// Sets a town's code.
pub async fn set_town_code(
    conn: &mut AnyConnection,
    id: i64,
    code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE org_units SET code = $1 WHERE id = $2 AND level = 'town'")
        .bind(code)
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}

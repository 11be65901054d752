//! The grid roster (`grid_assignments`: who covers which unit from when to when), households
//! per unit, and the grid workers' visits (`grid_visits`).

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::grid::{GridVisit, tags_from_text};
use shared::model::{OrgLevel, Stage, VisitOutcome};
use shared::repeats::CaseRef;
use sqlx::{AnyConnection, FromRow};

use super::{date_text, parse_date, parse_enum};

/// A village, area or group of a town as the roster reads it.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: OrgLevel,
    pub name: String,
    pub households: Option<u32>,
}

/// The town's villages, areas and groups, in the tree's order (each village followed by its
/// areas, each area by its groups), and their full names (渠口村一片一组).
pub async fn units(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<(Vec<Unit>, HashMap<i64, String>), sqlx::Error> {
    type Row = (i64, Option<i64>, String, String, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, parent_id, level, name, households FROM org_units \
         WHERE town_id = $1 AND level IN ('village', 'area', 'group') ORDER BY id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    let mut all = Vec::with_capacity(rows.len());
    for (id, parent_id, level, name, households) in rows {
        all.push(Unit {
            id,
            parent_id,
            level: parse_enum("level", &level)?,
            name,
            households: households.and_then(|n| u32::try_from(n).ok()),
        });
    }
    // Depth first, so the list reads as the tree.
    let mut ordered = Vec::with_capacity(all.len());
    let mut full = HashMap::new();
    fn walk(
        all: &[Unit],
        parent: Option<i64>,
        prefix: &str,
        ordered: &mut Vec<Unit>,
        full: &mut HashMap<i64, String>,
    ) {
        for u in all.iter().filter(|u| {
            if u.level == OrgLevel::Village {
                parent.is_none()
            } else {
                u.parent_id == parent && parent.is_some()
            }
        }) {
            // A child named in full already (渠口村一片 under 渠口村) keeps its name.
            let name = if u.name.starts_with(prefix) {
                u.name.clone()
            } else {
                format!("{prefix}{}", u.name)
            };
            full.insert(u.id, name.clone());
            ordered.push(u.clone());
            walk(all, Some(u.id), &name, ordered, full);
        }
    }
    walk(&all, None, "", &mut ordered, &mut full);
    Ok((ordered, full))
}

/// The unit `id` of the town (village, area or group).
pub async fn unit_of_town(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<Option<(OrgLevel, Option<i64>)>, sqlx::Error> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT level, parent_id FROM org_units WHERE id = $1 AND town_id = $2 \
         AND level IN ('village', 'area', 'group')",
    )
    .bind(id)
    .bind(town_id)
    .fetch_optional(conn)
    .await?;
    row.map(|(level, parent)| Ok((parse_enum("level", &level)?, parent)))
        .transpose()
}

/// One cover of a unit, current (`ends_on` none) or past.
#[derive(Debug, Clone, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub unit_id: i64,
    pub user_id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// Every cover of the town's units, latest first.
pub async fn assignments(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<AssignmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.unit_id, a.user_id, u.display_name AS name, a.starts_on, a.ends_on \
         FROM grid_assignments a JOIN users u ON u.id = a.user_id WHERE a.town_id = $1 \
         ORDER BY a.starts_on DESC, a.id DESC",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await
}

/// Who covers `unit_id` now: the assignment's id and its first day.
pub async fn current_cover(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> Result<Option<(i64, i64, NaiveDate)>, sqlx::Error> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, user_id, starts_on FROM grid_assignments \
         WHERE unit_id = $1 AND ends_on IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(unit_id)
    .fetch_optional(conn)
    .await?;
    row.map(|(id, user, d)| Ok((id, user, parse_date(&d)?)))
        .transpose()
}

/// The first day without the unit's latest cover, when nobody covers it now.
pub async fn last_end(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    let day: Option<String> =
        sqlx::query_scalar("SELECT MAX(ends_on) FROM grid_assignments WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_one(conn)
            .await?;
    day.as_deref().map(parse_date).transpose()
}

/// Ends the unit's current cover on `from` (its first day without) and, with `user_id`,
/// starts theirs that day.
pub async fn assign(
    conn: &mut AnyConnection,
    town_id: i64,
    unit_id: i64,
    user_id: Option<i64>,
    from: NaiveDate,
    by: Option<i64>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let day = date_text(from);
    sqlx::query("UPDATE grid_assignments SET ends_on = $1 WHERE unit_id = $2 AND ends_on IS NULL")
        .bind(&day)
        .bind(unit_id)
        .execute(&mut *conn)
        .await?;
    if let Some(user_id) = user_id {
        sqlx::query(
            "INSERT INTO grid_assignments (town_id, unit_id, user_id, starts_on, ends_on, \
             assigned_by, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(town_id)
        .bind(unit_id)
        .bind(user_id)
        .bind(&day)
        .bind(by)
        .bind(now_ms)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The units `user_id` covers now.
pub async fn units_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT unit_id FROM grid_assignments WHERE user_id = $1 AND ends_on IS NULL \
         ORDER BY unit_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Records a unit's households (none: not recorded).
pub async fn set_households(
    conn: &mut AnyConnection,
    unit_id: i64,
    households: Option<u32>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE org_units SET households = $1 WHERE id = $2")
        .bind(households.map(i64::from))
        .bind(unit_id)
        .execute(conn)
        .await
        .map(drop)
}

/// The town's open cases with their village, area and group.
pub async fn open_cases_by_place(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<(i64, i64, Option<i64>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT id, village_id, area_id, group_id FROM cases WHERE town_id = $1 \
         AND stage IN ('{}', '{}', '{}') ORDER BY id",
        Stage::Registered.as_str(),
        Stage::Routed.as_str(),
        Stage::InHandling.as_str()
    ))
    .bind(town_id)
    .fetch_all(conn)
    .await
}

/// Each unit's latest visit, and its visits since `since`.
pub async fn visits_by_unit(
    conn: &mut AnyConnection,
    town_id: i64,
    since: NaiveDate,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT unit_id, MAX(visited_on), \
         CAST(SUM(CASE WHEN visited_on >= $2 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM grid_visits WHERE town_id = $1 GROUP BY unit_id",
    )
    .bind(town_id)
    .bind(date_text(since))
    .fetch_all(conn)
    .await
}

/// Each worker's visits from `from` until `until` (excluded), by outcome.
pub async fn visits_by_worker(
    conn: &mut AnyConnection,
    town_id: i64,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT worker_id, outcome, COUNT(*) FROM grid_visits \
         WHERE town_id = $1 AND visited_on >= $2 AND visited_on < $3 \
         GROUP BY worker_id, outcome",
    )
    .bind(town_id)
    .bind(date_text(from))
    .bind(date_text(until))
    .fetch_all(conn)
    .await
}

/// A visit to store.
#[derive(Debug)]
pub struct VisitRow<'a> {
    pub town_id: i64,
    pub unit_id: i64,
    pub worker_id: i64,
    pub visited_on: NaiveDate,
    pub place: &'a str,
    pub met: &'a str,
    pub phone: Option<&'a str>,
    pub findings: &'a str,
    pub tags: String,
    pub outcome: VisitOutcome,
    pub case_id: Option<i64>,
    pub photo: Option<(&'a str, &'a str)>,
    pub client_key: &'a str,
    pub now_ms: i64,
}

/// Stores a visit; returns its id.
pub async fn insert_visit(conn: &mut AnyConnection, v: &VisitRow<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO grid_visits (town_id, unit_id, worker_id, visited_on, place, met, phone, \
         findings, tags, outcome, case_id, photo_type, photo, client_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(v.town_id)
    .bind(v.unit_id)
    .bind(v.worker_id)
    .bind(date_text(v.visited_on))
    .bind(v.place)
    .bind(v.met)
    .bind(v.phone)
    .bind(v.findings)
    .bind(&v.tags)
    .bind(v.outcome.as_str())
    .bind(v.case_id)
    .bind(v.photo.map(|p| p.0))
    .bind(v.photo.map(|p| p.1))
    .bind(v.client_key)
    .bind(v.now_ms)
    .fetch_one(conn)
    .await
}

/// The visit a worker already logged under this key (a resend).
pub async fn visit_by_key(
    conn: &mut AnyConnection,
    worker_id: i64,
    key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM grid_visits WHERE worker_id = $1 AND client_key = $2")
        .bind(worker_id)
        .bind(key)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, FromRow)]
struct Row {
    id: i64,
    visited_on: String,
    unit_id: i64,
    worker_id: i64,
    worker: String,
    place: String,
    met: String,
    phone: Option<String>,
    findings: String,
    tags: String,
    outcome: String,
    case_id: Option<i64>,
    case_code: Option<String>,
    has_photo: i64,
}

/// The visit with the worker who logged it.
pub struct Stored {
    pub worker_id: i64,
    pub visit: GridVisit,
}

const SELECT: &str = "SELECT v.id, v.visited_on, v.unit_id, v.worker_id, u.display_name AS worker, \
    v.place, v.met, v.phone, v.findings, v.tags, v.outcome, v.case_id, c.code AS case_code, \
    CASE WHEN v.photo IS NULL THEN 0 ELSE 1 END AS has_photo \
    FROM grid_visits v JOIN users u ON u.id = v.worker_id LEFT JOIN cases c ON c.id = v.case_id";

fn stored(r: Row, names: &HashMap<i64, String>) -> Result<Stored, sqlx::Error> {
    Ok(Stored {
        worker_id: r.worker_id,
        visit: GridVisit {
            id: r.id,
            visited_on: parse_date(&r.visited_on)?,
            unit_id: r.unit_id,
            unit: names.get(&r.unit_id).cloned().unwrap_or_default(),
            worker: r.worker,
            place: r.place,
            met: r.met,
            phone: r.phone,
            findings: r.findings,
            tags: tags_from_text(&r.tags),
            outcome: parse_enum("visit outcome", &r.outcome)?,
            case: r
                .case_id
                .zip(r.case_code)
                .map(|(id, code)| CaseRef { id, code }),
            has_photo: r.has_photo != 0,
            masked: false,
        },
    })
}

/// One visit of the town.
pub async fn visit(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
    names: &HashMap<i64, String>,
) -> Result<Option<Stored>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE v.id = $1 AND v.town_id = $2"))
        .bind(id)
        .bind(town_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| stored(r, names)).transpose()
}

/// The town's visits from `from` to `to` (both included), newest first; optionally one
/// worker's.
pub async fn visits(
    conn: &mut AnyConnection,
    town_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    worker: Option<i64>,
    names: &HashMap<i64, String>,
) -> Result<Vec<Stored>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE v.town_id = $1 AND v.visited_on >= $2 AND v.visited_on <= $3 \
         AND ($4 = 0 OR v.worker_id = $4) ORDER BY v.visited_on DESC, v.id DESC"
    ))
    .bind(town_id)
    .bind(date_text(from))
    .bind(date_text(to))
    .bind(worker.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| stored(r, names)).collect()
}

/// A worker's latest visits.
pub async fn recent_of(
    conn: &mut AnyConnection,
    worker_id: i64,
    limit: i64,
    names: &HashMap<i64, String>,
) -> Result<Vec<Stored>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE v.worker_id = $1 ORDER BY v.visited_on DESC, v.id DESC LIMIT $2"
    ))
    .bind(worker_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| stored(r, names)).collect()
}

/// A visit's photo: its type and base64 bytes, with the worker who logged it.
pub async fn photo(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<Option<(i64, Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT worker_id, photo_type, photo FROM grid_visits WHERE id = $1 AND town_id = $2",
    )
    .bind(id)
    .bind(town_id)
    .fetch_optional(conn)
    .await
}

/// The units at or below `unit` (by the tree's parent links).
pub fn within(units: &[Unit], unit: i64) -> Vec<i64> {
    let mut out = vec![unit];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            units
                .iter()
                .filter(|u| u.parent_id == Some(parent))
                .map(|u| u.id),
        );
        i += 1;
    }
    out
}

/// The town's active town leaders and grid workers, by role and name.
pub async fn people(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<shared::grid::GridPerson>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, display_name, role FROM users WHERE town_id = $1 AND active = 1 \
         AND role IN ('town_leader', 'grid_worker') ORDER BY role DESC, display_name, id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(user_id, name, role)| {
            Ok(shared::grid::GridPerson {
                user_id,
                name,
                role: parse_enum("role", &role)?,
            })
        })
        .collect()
}

/// The households of `units`, by unit and head.
pub async fn households(
    conn: &mut AnyConnection,
    town_id: i64,
    units: &[i64],
) -> Result<Vec<shared::grid::Household>, sqlx::Error> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, unit_id, head, address, phone, members, note FROM households \
             WHERE town_id = $1 ORDER BY unit_id, head, id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| units.contains(&r.1))
        .map(
            |(id, unit_id, head, address, phone, members, note)| shared::grid::Household {
                id,
                unit_id,
                head,
                address,
                phone,
                members: members.and_then(|n| u32::try_from(n).ok()),
                note,
                masked: false,
            },
        )
        .collect())
}

/// The unit of a household of the town.
pub async fn household_unit(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT unit_id FROM households WHERE id = $1 AND town_id = $2")
        .bind(id)
        .bind(town_id)
        .fetch_optional(conn)
        .await
}

/// Adds a household (`id` none) or changes one; returns its id.
pub async fn save_household(
    conn: &mut AnyConnection,
    (town_id, unit_id): (i64, i64),
    id: Option<i64>,
    h: &shared::grid::HouseholdForm,
    (by, now_ms): (i64, i64),
) -> Result<i64, sqlx::Error> {
    let phone = h.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let members = h.members.map(i64::from);
    match id {
        Some(id) => {
            sqlx::query(
                "UPDATE households SET head = $1, address = $2, phone = $3, members = $4, \
                 note = $5 WHERE id = $6",
            )
            .bind(h.head.trim())
            .bind(h.address.trim())
            .bind(phone)
            .bind(members)
            .bind(h.note.trim())
            .bind(id)
            .execute(conn)
            .await?;
            Ok(id)
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO households (town_id, unit_id, head, address, phone, members, note, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(town_id)
            .bind(unit_id)
            .bind(h.head.trim())
            .bind(h.address.trim())
            .bind(phone)
            .bind(members)
            .bind(h.note.trim())
            .bind(by)
            .bind(now_ms)
            .fetch_one(conn)
            .await
        }
    }
}

/// Removes a household from the list.
pub async fn delete_household(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM households WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}
